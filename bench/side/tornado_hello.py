#!/usr/bin/env python3
"""T1 of the side-by-side suite: Tornado's hello world, one process, as the seeds ran it.

Usage: tornado_hello.py HOST PORT   (GET /hello; HOST must be loopback)
"""
import sys

import tornado.ioloop
import tornado.web

HOST, PORT = sys.argv[1], int(sys.argv[2])
assert HOST.startswith("127."), "loopback only"


class Hello(tornado.web.RequestHandler):
    def get(self):
        self.write({"hello": "world"})


if __name__ == "__main__":
    tornado.web.Application([(r"/hello", Hello)]).listen(PORT, address=HOST)
    tornado.ioloop.IOLoop.current().start()

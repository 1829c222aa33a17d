#!/usr/bin/env python3
"""The Tornado side of the idle-capacity comparison: one process holding long polls, as
Tornado's chat demo does (a waiter per request, answered on a new message or after `wait`).

Usage: tornado_longpoll.py HOST PORT   (GET /api/events?after=N&wait=25, POST /api/rooms/x/messages)
"""
import json
import sys

import tornado.ioloop
import tornado.web

HOST, PORT = sys.argv[1], int(sys.argv[2])
assert HOST.startswith("127.")
messages = []
waiters = set()


class Poll(tornado.web.RequestHandler):
    async def get(self):
        after = int(self.get_argument("after", "0"))
        if len(messages) > after:
            self.write({"events": messages[after:], "cursor": len(messages)})
            return
        self.future = tornado.concurrent.Future()
        waiters.add(self.future)
        wait = min(25, int(self.get_argument("wait", "25")))
        try:
            await tornado.gen.with_timeout(tornado.ioloop.IOLoop.current().time() + wait, self.future)
        except tornado.util.TimeoutError:
            self.set_status(204)
            return
        finally:
            waiters.discard(self.future)
        if not self.request.connection.stream.closed():
            self.write({"events": messages[after:], "cursor": len(messages)})

    def on_connection_close(self):
        f = getattr(self, "future", None)
        if f is not None and not f.done():
            f.set_result(None)


class Post(tornado.web.RequestHandler):
    def post(self, room):
        messages.append(json.loads(self.request.body))
        for f in list(waiters):
            if not f.done():
                f.set_result(None)
        self.set_status(201)


class Stats(tornado.web.RequestHandler):
    def get(self):
        self.write({"waiting": len(waiters)})


app = tornado.web.Application([(r"/api/events", Poll), (r"/api/rooms/([A-Za-z0-9_-]+)/messages", Post),
                               (r"/stats", Stats)])
app.listen(PORT, HOST, backlog=1024)
print("listening", flush=True)
tornado.ioloop.IOLoop.current().start()

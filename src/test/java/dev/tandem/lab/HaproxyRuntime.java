package dev.tandem.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** HAProxy's runtime API over its unix socket: what the balancer thinks of each server. */
public final class HaproxyRuntime {
    private final Path socket;

    HaproxyRuntime(Path socket) {
        this.socket = socket;
    }

    String command(String command) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.write(buf.array(), 0, buf.limit());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("HAProxy socket " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Backend server name → its "show stat" row as column → value. */
    public Map<String, Map<String, String>> servers(String backend) {
        List<String> lines = command("show stat").lines().filter(l -> !l.isBlank()).toList();
        String[] header = lines.get(0).replaceFirst("^# ", "").split(",", -1);
        Map<String, Map<String, String>> out = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells.length < 2 || !cells[0].equals(backend) || cells[1].equals("BACKEND") || cells[1].equals("FRONTEND")) {
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < Math.min(header.length, cells.length); i++) {
                row.put(header[i], cells[i]);
            }
            out.put(cells[1], row);
        }
        return out;
    }

    /** UP, DOWN, DRAIN, MAINT, "UP 1/2" (going down), "DOWN 1/2" (coming up)... */
    public String status(String server) {
        Map<String, String> row = servers("tandem").get(server);
        return row == null ? "ABSENT" : row.get("status");
    }

    public long sessionsTotal(String server) {
        Map<String, String> row = servers("tandem").get(server);
        return row == null ? 0 : Long.parseLong(row.get("stot"));
    }

    @Override
    public String toString() {
        return "HAProxy at " + socket + " " + Arrays.toString(new String[] {});
    }
}

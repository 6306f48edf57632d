package dev.ferry.router;

import dev.ferry.events.PoolAdvert;
import dev.ferry.router.model.Candidate;
import dev.ferry.router.model.PoolSpec;
import dev.ferry.router.model.PoolState;
import dev.ferry.router.model.PoolUsage;
import dev.ferry.router.model.PoolView;
import dev.ferry.router.model.Resources;
import dev.ferry.router.model.Taint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The binary format of the router's own topics ({@code <application-id>-pool-inbox}, {@code -pod-inbox},
 * {@code -pool-view}) and state stores. These never leave the router, so they need no schema registry: a format
 * byte, then the fields in a fixed order. Pod intents and pool adverts inside them keep Avro's single-object
 * encoding, whose schema fingerprint makes a mismatch an error rather than garbage. A change to any layout bumps
 * {@link #FORMAT}; a router reading an older format fails loudly, and the application must then be reset.
 */
final class RouterCodec {

    static final byte FORMAT = 1;

    private static final byte ADVERT = 1;
    private static final byte RESERVE = 2;
    private static final byte CANCEL = 3;
    private static final byte RELEASE = 4;

    private static final byte NO_ROOM = 11;
    private static final byte UNAVAILABLE = 12;
    private static final byte QUEUED = 13;
    private static final byte BOUNCED = 14;
    private static final byte CANCEL_OUTCOME = 15;
    private static final byte UNDECODABLE = 16;

    private RouterCodec() {
    }

    static final Serde<PoolMessage> POOL_MESSAGE = serde(RouterCodec::writePoolMessage, RouterCodec::readPoolMessage);
    static final Serde<PodMessage> POD_MESSAGE = serde(RouterCodec::writePodMessage, RouterCodec::readPodMessage);
    static final Serde<PodState> POD_STATE = serde(RouterCodec::writePodState, RouterCodec::readPodState);
    static final Serde<PoolSpec> POOL_SPEC = serde(RouterCodec::spec, RouterCodec::spec);
    static final Serde<PoolLedger.Counts> LEDGER_COUNTS = serde(RouterCodec::writeCounts, RouterCodec::readCounts);
    static final Serde<Holding> HOLDING = serde(RouterCodec::writeHolding, RouterCodec::readHolding);
    static final Serde<QueueEntry> QUEUE_ENTRY = serde(RouterCodec::writeQueueEntry, RouterCodec::readQueueEntry);
    static final Serde<PoolView> POOL_VIEW = serde(RouterCodec::writeView, RouterCodec::readView);

    // ---- messages to a pool

    private static void writePoolMessage(Out out, PoolMessage message) throws IOException {
        if (message instanceof PoolMessage.AdvertChanged m) {
            out.writeByte(ADVERT);
            out.string(m.poolId());
            out.bytes(m.advert() == null ? null : toBytes(PoolAdvert.getEncoder().encode(m.advert())));
        } else if (message instanceof PoolMessage.Reserve m) {
            out.writeByte(RESERVE);
            out.string(m.poolId());
            pod(out, m.pod());
            out.writeLong(m.ticket());
            out.writeInt(m.attempt());
            out.writeBoolean(m.mayQueue());
            out.writeInt(m.priority());
            resources(out, m.request());
            out.bytes(m.intent());
            out.writeInt(m.candidates().size());
            for (Candidate c : m.candidates()) {
                candidate(out, c);
            }
        } else if (message instanceof PoolMessage.Cancel m) {
            out.writeByte(CANCEL);
            out.string(m.poolId());
            pod(out, m.pod());
            out.writeLong(m.ticket());
        } else if (message instanceof PoolMessage.Release m) {
            out.writeByte(RELEASE);
            out.string(m.poolId());
            pod(out, m.pod());
            out.writeLong(m.ticket());
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
    }

    private static PoolMessage readPoolMessage(In in) throws IOException {
        byte type = in.readByte();
        String poolId = in.string();
        return switch (type) {
            case ADVERT -> {
                byte[] advert = in.bytes();
                yield new PoolMessage.AdvertChanged(poolId, advert == null ? null : PoolAdvert.getDecoder().decode(advert));
            }
            case RESERVE -> {
                PodId pod = pod(in);
                long ticket = in.readLong();
                int attempt = in.readInt();
                boolean mayQueue = in.readBoolean();
                int priority = in.readInt();
                Resources request = resources(in);
                byte[] intent = in.bytes();
                int n = in.readInt();
                List<Candidate> candidates = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    candidates.add(candidate(in));
                }
                yield new PoolMessage.Reserve(poolId, pod, ticket, attempt, mayQueue, priority, request, intent, candidates);
            }
            case CANCEL -> new PoolMessage.Cancel(poolId, pod(in), in.readLong());
            case RELEASE -> new PoolMessage.Release(poolId, pod(in), in.readLong());
            default -> throw new IOException("unknown pool message type " + type);
        };
    }

    // ---- messages to a pod

    private static void writePodMessage(Out out, PodMessage message) throws IOException {
        if (message instanceof PodMessage.NoRoom m) {
            out.writeByte(NO_ROOM);
            out.writeLong(m.ticket());
            out.string(m.poolId());
            out.string(m.reason());
            out.bytes(m.intent());
        } else if (message instanceof PodMessage.Unavailable m) {
            out.writeByte(UNAVAILABLE);
            out.writeLong(m.ticket());
            out.string(m.poolId());
            out.string(m.reason());
            out.bytes(m.intent());
        } else if (message instanceof PodMessage.Queued m) {
            out.writeByte(QUEUED);
            out.writeLong(m.ticket());
            out.string(m.poolId());
            out.string(m.site());
            out.writeLong(m.position());
            out.string(m.reason());
        } else if (message instanceof PodMessage.Bounced m) {
            out.writeByte(BOUNCED);
            out.writeLong(m.ticket());
            out.string(m.poolId());
            out.string(m.reason());
            out.bytes(m.intent());
        } else if (message instanceof PodMessage.CancelOutcome m) {
            out.writeByte(CANCEL_OUTCOME);
            out.writeLong(m.ticket());
            out.string(m.poolId());
            out.writeByte(m.kind().ordinal());
        } else if (message instanceof PodMessage.Undecodable m) {
            out.writeByte(UNDECODABLE);
            out.string(m.reason());
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
    }

    private static PodMessage readPodMessage(In in) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case NO_ROOM -> new PodMessage.NoRoom(in.readLong(), in.string(), in.string(), in.bytes());
            case UNAVAILABLE -> new PodMessage.Unavailable(in.readLong(), in.string(), in.string(), in.bytes());
            case QUEUED -> new PodMessage.Queued(in.readLong(), in.string(), in.string(), in.readLong(), in.string());
            case BOUNCED -> new PodMessage.Bounced(in.readLong(), in.string(), in.string(), in.bytes());
            case CANCEL_OUTCOME -> new PodMessage.CancelOutcome(in.readLong(), in.string(),
                    PodMessage.CancelOutcome.Kind.values()[in.readByte()]);
            case UNDECODABLE -> new PodMessage.Undecodable(in.string());
            default -> throw new IOException("unknown pod message type " + type);
        };
    }

    // ---- stores

    private static void writePodState(Out out, PodState s) throws IOException {
        pod(out, s.pod());
        out.writeByte(s.phase().ordinal());
        out.writeInt(s.intentIds().size());
        for (String id : s.intentIds()) {
            out.string(id);
        }
        out.writeInt(s.attempt());
        out.writeLong(s.ticket());
        out.string(s.poolId());
        out.writeInt(s.noRoom().size());
        for (String pool : s.noRoom()) {
            out.string(pool);
        }
        stringMap(out, s.unavailable());
        out.writeBoolean(s.deleteRequested());
        out.writeLong(s.statusSequence());
        out.writeLong(s.decisionSequence());
        out.writeLong(s.updatedAt());
    }

    private static PodState readPodState(In in) throws IOException {
        PodId pod = pod(in);
        PodState.Phase phase = PodState.Phase.values()[in.readByte()];
        int n = in.readInt();
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(in.string());
        }
        int attempt = in.readInt();
        long ticket = in.readLong();
        String poolId = in.string();
        int m = in.readInt();
        Set<String> noRoom = new HashSet<>();
        for (int i = 0; i < m; i++) {
            noRoom.add(in.string());
        }
        Map<String, String> unavailable = stringMap(in);
        return new PodState(pod, phase, ids, attempt, ticket, poolId, noRoom, unavailable, in.readBoolean(),
                in.readLong(), in.readLong(), in.readLong());
    }

    private static void writeCounts(Out out, PoolLedger.Counts counts) throws IOException {
        out.writeLong(counts.version());
        usage(out, counts.usage());
        out.writeLong(counts.nextArrival());
    }

    private static PoolLedger.Counts readCounts(In in) throws IOException {
        long version = in.readLong();
        PoolUsage usage = usage(in);
        return new PoolLedger.Counts(usage, in.readLong(), version);
    }

    private static void writeView(Out out, PoolView view) throws IOException {
        out.writeLong(view.version());
        spec(out, view.spec());
        usage(out, view.usage());
    }

    private static PoolView readView(In in) throws IOException {
        long version = in.readLong();
        return new PoolView(spec(in), usage(in), version);
    }

    private static void writeHolding(Out out, Holding h) throws IOException {
        pod(out, h.pod());
        out.writeLong(h.ticket());
        out.writeInt(h.attempt());
        out.string(h.site());
        resources(out, h.request());
        out.string(h.queueKey());
        out.writeBoolean(h.cancelSent());
    }

    private static Holding readHolding(In in) throws IOException {
        return new Holding(pod(in), in.readLong(), in.readInt(), in.string(), resources(in), in.string(), in.readBoolean());
    }

    private static void writeQueueEntry(Out out, QueueEntry e) throws IOException {
        pod(out, e.pod());
        out.writeLong(e.ticket());
        out.writeInt(e.attempt());
        out.writeInt(e.priority());
        resources(out, e.request());
        out.bytes(e.intent());
        out.writeLong(e.queuedAt());
    }

    private static QueueEntry readQueueEntry(In in) throws IOException {
        return new QueueEntry(pod(in), in.readLong(), in.readInt(), in.readInt(), resources(in), in.bytes(), in.readLong());
    }

    // ---- parts

    private static void pod(Out out, PodId pod) throws IOException {
        out.string(pod.namespace());
        out.string(pod.name());
        out.string(pod.uid());
    }

    private static PodId pod(In in) throws IOException {
        return new PodId(in.string(), in.string(), in.string());
    }

    private static void resources(Out out, Resources resources) throws IOException {
        out.writeInt(resources.names().size());
        for (Map.Entry<String, BigDecimal> e : resources.asMap().entrySet()) {
            out.string(e.getKey());
            out.string(e.getValue().toString());
        }
    }

    private static Resources resources(In in) throws IOException {
        int n = in.readInt();
        Map<String, BigDecimal> amounts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            amounts.put(in.string(), new BigDecimal(in.string()));
        }
        return Resources.of(amounts);
    }

    private static void usage(Out out, PoolUsage usage) throws IOException {
        resources(out, usage.reserved());
        resources(out, usage.queuedDemand());
        out.writeLong(usage.running());
        out.writeLong(usage.queued());
    }

    private static PoolUsage usage(In in) throws IOException {
        return new PoolUsage(resources(in), resources(in), in.readLong(), in.readLong());
    }

    private static void spec(Out out, PoolSpec spec) throws IOException {
        out.string(spec.poolId());
        out.string(spec.site());
        out.string(spec.backend());
        stringMap(out, spec.labels());
        out.writeInt(spec.taints().size());
        for (Taint t : spec.taints()) {
            out.string(t.key());
            out.string(t.value());
            out.string(t.effect());
        }
        resources(out, spec.allocatable());
        out.writeByte(spec.state().ordinal());
        out.writeLong(spec.heartbeatAt().toEpochMilli());
        out.writeLong(spec.heartbeatTtl().toMillis());
        out.writeInt(spec.allowedNamespaces().size());
        for (String ns : spec.allowedNamespaces()) {
            out.string(ns);
        }
        out.writeLong(spec.maxWalltimeSeconds().orElse(-1));
        out.string(spec.message());
        out.writeInt(spec.defects().size());
        for (String d : spec.defects()) {
            out.string(d);
        }
    }

    private static PoolSpec spec(In in) throws IOException {
        String poolId = in.string();
        String site = in.string();
        String backend = in.string();
        Map<String, String> labels = stringMap(in);
        int nt = in.readInt();
        List<Taint> taints = new ArrayList<>(nt);
        for (int i = 0; i < nt; i++) {
            taints.add(new Taint(in.string(), in.string(), in.string()));
        }
        Resources allocatable = resources(in);
        PoolState state = PoolState.values()[in.readByte()];
        Instant heartbeatAt = Instant.ofEpochMilli(in.readLong());
        Duration ttl = Duration.ofMillis(in.readLong());
        int nn = in.readInt();
        Set<String> namespaces = new HashSet<>();
        for (int i = 0; i < nn; i++) {
            namespaces.add(in.string());
        }
        long walltime = in.readLong();
        String message = in.string();
        int nd = in.readInt();
        List<String> defects = new ArrayList<>(nd);
        for (int i = 0; i < nd; i++) {
            defects.add(in.string());
        }
        return new PoolSpec(poolId, site, backend, labels, taints, allocatable, state, heartbeatAt, ttl, namespaces,
                walltime < 0 ? OptionalLong.empty() : OptionalLong.of(walltime), message, defects);
    }

    private static void candidate(Out out, Candidate c) throws IOException {
        out.string(c.poolId());
        out.string(c.site());
        out.writeBoolean(c.eligible());
        out.writeBoolean(c.fitsNow());
        out.writeDouble(c.score());
        out.writeDouble(c.backlogScore());
        out.writeInt(c.reasons().size());
        for (String r : c.reasons()) {
            out.string(r);
        }
    }

    private static Candidate candidate(In in) throws IOException {
        String poolId = in.string();
        String site = in.string();
        boolean eligible = in.readBoolean();
        boolean fitsNow = in.readBoolean();
        double score = in.readDouble();
        double backlog = in.readDouble();
        int n = in.readInt();
        List<String> reasons = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            reasons.add(in.string());
        }
        return new Candidate(poolId, site, eligible, fitsNow, score, backlog, reasons);
    }

    private static void stringMap(Out out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            out.string(e.getKey());
            out.string(e.getValue());
        }
    }

    private static Map<String, String> stringMap(In in) throws IOException {
        int n = in.readInt();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            map.put(in.string(), in.string());
        }
        return map;
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    // ---- plumbing

    @FunctionalInterface
    private interface Writer<T> {
        void write(Out out, T value) throws IOException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(In in) throws IOException;
    }

    private static <T> Serde<T> serde(Writer<T> writer, Reader<T> reader) {
        return Serdes.serdeFrom(
                (topic, value) -> {
                    if (value == null) {
                        return null;
                    }
                    try {
                        Out out = OUT.get().reset();
                        out.writeByte(FORMAT);
                        writer.write(out, value);
                        return out.toByteArray();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    try {
                        In in = new In(bytes);
                        byte format = in.readByte();
                        if (format != FORMAT) {
                            throw new SerializationException("router record in format " + format + ", this router reads "
                                    + FORMAT + (topic == null ? "" : " (topic " + topic + ")")
                                    + "; reset the router application to upgrade across formats");
                        }
                        return reader.read(in);
                    } catch (IOException | RuntimeException e) {
                        if (e instanceof SerializationException se) {
                            throw se;
                        }
                        throw new SerializationException("not a router record" + (topic == null ? "" : " on " + topic)
                                + ": " + e, e);
                    }
                });
    }

    /** Each thread's writer: its buffer grows to the largest record once, instead of for every large record. */
    private static final ThreadLocal<Out> OUT = ThreadLocal.withInitial(() -> new Out(1024));

    /** A growable big-endian writer; unsynchronized, unlike {@code DataOutputStream} over a byte array stream. */
    private static final class Out {
        private byte[] buf;
        private int n;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        Out reset() {
            n = 0;
            if (buf.length > 1 << 20) {
                buf = new byte[1024]; // not kept for one huge record
            }
            return this;
        }

        private void room(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        void writeByte(int b) {
            room(1);
            buf[n++] = (byte) b;
        }

        void writeBoolean(boolean b) {
            writeByte(b ? 1 : 0);
        }

        void writeInt(int v) {
            room(4);
            buf[n++] = (byte) (v >>> 24);
            buf[n++] = (byte) (v >>> 16);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
        }

        void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }

        void writeDouble(double v) {
            writeLong(Double.doubleToLongBits(v));
        }

        void string(String s) {
            bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(byte[] b) {
            if (b == null) {
                writeInt(-1);
                return;
            }
            writeInt(b.length);
            room(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, n);
        }
    }

    /** Reads what {@link Out} wrote; running past the end is an {@link IOException}. */
    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        private void need(int count) throws IOException {
            if (count < 0 || pos + count > buf.length) {
                throw new IOException("record ends after " + buf.length + " bytes, needed " + count + " more at " + pos);
            }
        }

        byte readByte() throws IOException {
            need(1);
            return buf[pos++];
        }

        boolean readBoolean() throws IOException {
            return readByte() != 0;
        }

        int readInt() throws IOException {
            need(4);
            int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                    | (buf[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        long readLong() throws IOException {
            return ((long) readInt() << 32) | (readInt() & 0xffffffffL);
        }

        double readDouble() throws IOException {
            return Double.longBitsToDouble(readLong());
        }

        String string() throws IOException {
            int len = readInt();
            if (len < 0) {
                return null;
            }
            need(len);
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        byte[] bytes() throws IOException {
            int len = readInt();
            if (len < 0) {
                return null;
            }
            need(len);
            byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return b;
        }
    }
}

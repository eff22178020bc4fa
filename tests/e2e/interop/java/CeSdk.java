// CeSdk.java -- the Java CloudEvents SDK's side of the conformance test
// (tests/e2e/interop_cloudevents.sh): io.cloudevents:cloudevents-kafka 4.0.1
// with kafka-clients 4.1.1 (pom.xml; fetched from Maven Central into the
// build tree, run with the JDK's single-file source launcher).
//
//   java CeSdk.java produce BOOTSTRAP TOPIC TAG PREFIX EXPECT_FILE
//     writes CreateFormEvents through CloudEventSerializer in BINARY and
//     STRUCTURED encoding (JSON event format), with the extensions subject,
//     traceparent and partitionkey, with and without the type prefix, and
//     appends what our consumer must record to EXPECT_FILE
//   java CeSdk.java parse BOOTSTRAP TOPIC PREFIX COUNT
//     reads every message the framework wrote (ce_source /metamorphosis/...)
//     through CloudEventDeserializer; exits 1 unless COUNT FormRecorded
//     events parse. Every wait has a deadline (60 s).
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class CeSdk {
    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    static void fail(String msg) {
        System.err.println("CeSdk.java (cloudevents java): FAIL: " + msg);
        System.exit(1);
    }

    static String q(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static KafkaProducer<String, CloudEvent> producer(String bootstrap, Encoding encoding) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class);
        p.put(CloudEventSerializer.ENCODING_CONFIG, encoding);
        p.put(CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000);
        return new KafkaProducer<>(p);
    }

    static void produce(String bootstrap, String topic, String tag, String prefix, String expectFile) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Object[][] cases = {
            {Encoding.BINARY, "CreateFormEvent", true},
            {Encoding.BINARY, prefix + ".CreateFormEvent", false},
            {Encoding.STRUCTURED, "CreateFormEvent", true},
            {Encoding.STRUCTURED, prefix + ".CreateFormEvent", false},
        };
        StringBuilder expected = new StringBuilder();
        Map<Encoding, KafkaProducer<String, CloudEvent>> producers = new HashMap<>();
        try {
            for (int n = 0; n < cases.length; n++) {
                Encoding enc = (Encoding) cases[n][0];
                String mode = enc == Encoding.BINARY ? "binary" : "structured";
                boolean ext = (Boolean) cases[n][2];
                String id = tag + "-" + mode + "-" + n + "-" + run;
                String name = tag + "-" + n, via = tag + " " + mode;
                String data = "{\"name\":" + q(name) + ",\"via\":" + q(via) + "}";
                CloudEventBuilder b = CloudEventBuilder.v1().withId(id).withType((String) cases[n][1])
                    .withSource(URI.create("/interop/" + tag)).withTime(OffsetDateTime.now())
                    .withDataContentType("application/json").withData(data.getBytes(StandardCharsets.UTF_8));
                String key = null;
                if (ext) {
                    key = "pk-" + tag + "-" + n;
                    b.withSubject("form-" + n).withExtension("traceparent", TRACEPARENT).withExtension("partitionkey", key);
                }
                KafkaProducer<String, CloudEvent> p = producers.computeIfAbsent(enc, e -> producer(bootstrap, e));
                p.send(new ProducerRecord<>(topic, key, b.build())).get(30, TimeUnit.SECONDS);
                expected.append("{\"id\":").append(q(id)).append(",\"data\":").append(data)
                    .append(",\"source\":").append(q("/interop/" + tag))
                    .append(",\"subject\":").append(q(ext ? "form-" + n : null))
                    .append(",\"traceparent\":").append(q(ext ? TRACEPARENT : null))
                    .append(",\"partitionkey\":").append(q(key)).append("}\n");
            }
        } finally {
            for (KafkaProducer<String, CloudEvent> p : producers.values()) p.close(Duration.ofSeconds(10));
        }
        Files.writeString(Path.of(expectFile), expected.toString(), StandardOpenOption.APPEND, StandardOpenOption.CREATE);
        System.out.println("CeSdk.java (cloudevents java): produced " + cases.length + " events (binary and structured)");
    }

    static void parse(String bootstrap, String topic, String prefix, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "ce-sdk-java-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        // Bytes first: the topic also holds the other SDKs' events, some of
        // which (Python 1.x's structured shape) this SDK cannot read.
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, String> seen = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        CloudEventDeserializer ced = new CloudEventDeserializer();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            while (seen.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    Header src = r.headers().lastHeader("ce_source");
                    if (src == null || !new String(src.value(), StandardCharsets.UTF_8).startsWith("/metamorphosis/"))
                        continue; // an SDK's own event
                    CloudEvent ev = null;
                    try {
                        ev = ced.deserialize(r.topic(), r.headers(), r.value());
                    } catch (RuntimeException e) {
                        fail("the SDK cannot parse our message at offset " + r.offset() + ": " + e);
                    }
                    if (ev == null) fail("the SDK could not parse our message at offset " + r.offset());
                    if (!(prefix + ".FormRecorded").equals(ev.getType()) || !"1.0".equals(ev.getSpecVersion().toString()))
                        fail("unexpected attributes type=" + ev.getType() + " specversion=" + ev.getSpecVersion());
                    String data = ev.getData() == null ? "" : new String(ev.getData().toBytes(), StandardCharsets.UTF_8);
                    Object cause = ev.getExtension("mmcauseid");
                    if (cause == null || !data.contains("\"id\":\"" + cause + "\""))
                        fail("unexpected data " + data + " / mmcauseid " + cause);
                    seen.put(ev.getId(), cause.toString());
                }
            }
        }
        if (seen.size() < count) fail("parsed " + seen.size() + " of our events, expected " + count + ", within 60 s");
        System.out.println("CeSdk.java (cloudevents java): parsed all " + seen.size() + " events the framework wrote");
    }

    public static void main(String[] a) throws Exception {
        if (a.length == 6 && a[0].equals("produce")) produce(a[1], a[2], a[3], a[4], a[5]);
        else if (a.length == 5 && a[0].equals("parse")) parse(a[1], a[2], a[3], Integer.parseInt(a[4]));
        else fail("usage: CeSdk.java produce BOOTSTRAP TOPIC TAG PREFIX EXPECT_FILE | parse BOOTSTRAP TOPIC PREFIX COUNT");
    }
}

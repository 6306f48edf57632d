package dev.ferry.router.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * A Kubernetes resource quantity ({@code 500m}, {@code 2Gi}, {@code 1e3}, {@code 1.5}), held exactly as a
 * {@link BigDecimal} in the resource's base unit (cores, bytes, devices).
 *
 * <p>The grammar is Kubernetes' own ({@code k8s.io/apimachinery/pkg/api/resource}):
 * <pre>
 *   quantity        ::= signedNumber suffix
 *   signedNumber    ::= [ "+" | "-" ] number
 *   number          ::= digits | digits "." [ digits ] | "." digits
 *   suffix          ::= binarySI | decimalSI | decimalExponent
 *   binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   decimalSI       ::= n | u | m | "" | k | M | G | T | P | E
 *   decimalExponent ::= ( "e" | "E" ) [ "+" | "-" ] digits
 * </pre>
 * No whitespace is allowed anywhere, as in Kubernetes. {@link #parse} accepts negative values (the grammar
 * does); {@link #parseResource} is what pod requests and pool capacities use, and rejects them.
 *
 * @param value the amount in the base unit, e.g. {@code 0.5} for {@code 500m}
 * @param text  the text it was parsed from, or a canonical rendering for computed amounts
 */
public record Quantity(BigDecimal value, String text) implements Comparable<Quantity> {

    /** Larger exponents than Kubernetes' own limit (a quantity fits an int64 with a scale of 10^-9) are refused. */
    private static final int MAX_EXPONENT = 30;
    private static final BigDecimal KI = BigDecimal.valueOf(1024);
    /**
     * Quantities already parsed: a pod's requests are a handful of texts ({@code 500m}, {@code 2Gi}) seen again and
     * again, and parsing one costs more than the rest of reading the pod's resources. Texts that fail to parse are
     * not kept (they throw).
     */
    private static final java.util.concurrent.ConcurrentMap<String, Quantity> PARSED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_CACHED = 4096;
    private static final int MAX_CACHED_LENGTH = 32;

    public Quantity {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(text, "text");
    }

    /** A computed amount, rendered canonically by {@link #format(BigDecimal)}. */
    public static Quantity of(BigDecimal value) {
        return new Quantity(value, format(value));
    }

    /** A whole amount, e.g. {@code Quantity.of(4)} for four GPUs. */
    public static Quantity of(long value) {
        return of(BigDecimal.valueOf(value));
    }

    /**
     * Parses a quantity that must not be negative, as every resource request, limit and capacity is.
     *
     * @throws InvalidQuantityException naming the text and what is wrong with it
     */
    public static Quantity parseResource(String text) {
        Quantity quantity = parse(text);
        if (quantity.value.signum() < 0) {
            throw new InvalidQuantityException(text, "is negative");
        }
        return quantity;
    }

    /**
     * Parses a quantity in Kubernetes' syntax.
     *
     * @throws InvalidQuantityException naming the text and what is wrong with it
     */
    public static Quantity parse(String text) {
        if (text != null && text.length() <= MAX_CACHED_LENGTH) {
            Quantity known = PARSED.get(text);
            if (known != null) {
                return known;
            }
            Quantity parsed = parseText(text);
            if (PARSED.size() >= MAX_CACHED) {
                PARSED.clear(); // user input: keep the cache bounded rather than clever
            }
            PARSED.put(text, parsed);
            return parsed;
        }
        return parseText(text);
    }

    private static Quantity parseText(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidQuantityException(text, "is empty");
        }
        int i = 0;
        int n = text.length();
        boolean negative = false;
        char first = text.charAt(0);
        if (first == '+' || first == '-') {
            negative = first == '-';
            i++;
        }
        int numberStart = i;
        int digitsBefore = 0;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
            digitsBefore++;
        }
        int digitsAfter = 0;
        if (i < n && text.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
                digitsAfter++;
            }
        }
        if (digitsBefore + digitsAfter == 0) {
            throw new InvalidQuantityException(text, "does not start with a number");
        }
        BigDecimal number = new BigDecimal(text.substring(numberStart, i).endsWith(".")
                ? text.substring(numberStart, i - 1) : prefixZero(text.substring(numberStart, i)));
        BigDecimal multiplier = suffix(text, text.substring(i));
        BigDecimal value = number.multiply(multiplier);
        if (negative) {
            value = value.negate();
        }
        return new Quantity(value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros(), text);
    }

    private static String prefixZero(String number) {
        return number.startsWith(".") ? "0" + number : number;
    }

    private static BigDecimal suffix(String text, String suffix) {
        switch (suffix) {
            case "":
                return BigDecimal.ONE;
            case "n":
                return BigDecimal.ONE.scaleByPowerOfTen(-9);
            case "u":
                return BigDecimal.ONE.scaleByPowerOfTen(-6);
            case "m":
                return BigDecimal.ONE.scaleByPowerOfTen(-3);
            case "k":
                return BigDecimal.ONE.scaleByPowerOfTen(3);
            case "M":
                return BigDecimal.ONE.scaleByPowerOfTen(6);
            case "G":
                return BigDecimal.ONE.scaleByPowerOfTen(9);
            case "T":
                return BigDecimal.ONE.scaleByPowerOfTen(12);
            case "P":
                return BigDecimal.ONE.scaleByPowerOfTen(15);
            case "E":
                return BigDecimal.ONE.scaleByPowerOfTen(18);
            case "Ki":
                return KI;
            case "Mi":
                return KI.pow(2);
            case "Gi":
                return KI.pow(3);
            case "Ti":
                return KI.pow(4);
            case "Pi":
                return KI.pow(5);
            case "Ei":
                return KI.pow(6);
            default:
                return exponent(text, suffix);
        }
    }

    private static BigDecimal exponent(String text, String suffix) {
        char e = suffix.charAt(0);
        if (e != 'e' && e != 'E') {
            throw new InvalidQuantityException(text, "has an unknown suffix '" + suffix
                    + "' (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)");
        }
        String digits = suffix.substring(1);
        int start = !digits.isEmpty() && (digits.charAt(0) == '+' || digits.charAt(0) == '-') ? 1 : 0;
        if (digits.length() == start || !digits.substring(start).chars().allMatch(Quantity::isDigit)) {
            throw new InvalidQuantityException(text, "has a malformed exponent '" + suffix + "' (e.g. 1e3)");
        }
        String magnitude = digits.substring(start).replaceFirst("^0+(?=.)", "");
        if (magnitude.length() > 3 || Integer.parseInt(magnitude) > MAX_EXPONENT) {
            throw new InvalidQuantityException(text, "has an exponent beyond " + MAX_EXPONENT);
        }
        return BigDecimal.ONE.scaleByPowerOfTen(Integer.parseInt(digits));
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Renders an amount the way a user would write it: whole numbers as they are ({@code 4}), a whole number of
     * binary units with that suffix ({@code 2Gi}), fractions in milli-units when exact ({@code 500m}), else in
     * plain decimal notation.
     */
    public static String format(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        if (v.signum() == 0) {
            return "0";
        }
        if (v.scale() <= 0) {
            BigInteger whole = v.toBigIntegerExact();
            String[] binary = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
            for (int k = 6; k >= 1; k--) {
                BigInteger unit = BigInteger.valueOf(1024).pow(k);
                if (whole.abs().compareTo(unit) >= 0 && whole.mod(unit).signum() == 0 && whole.abs().bitLength() > 20) {
                    return whole.divide(unit) + binary[6 - k];
                }
            }
            return whole.toString();
        }
        BigDecimal milli = v.scaleByPowerOfTen(3);
        if (milli.stripTrailingZeros().scale() <= 0) {
            return milli.setScale(0, RoundingMode.UNNECESSARY).toPlainString() + "m";
        }
        return v.toPlainString();
    }

    public int signum() {
        return value.signum();
    }

    @Override
    public int compareTo(Quantity other) {
        return value.compareTo(other.value);
    }

    /** Equal amounts are equal, however they were written ({@code 1} and {@code 1000m}). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return value.stripTrailingZeros().hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}

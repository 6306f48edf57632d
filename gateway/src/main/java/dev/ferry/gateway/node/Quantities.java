package dev.ferry.gateway.node;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities ({@code 500m}, {@code 2}, {@code 1Gi}, {@code 1e3}) as exact decimals, and back to
 * the canonical text the API server itself would print ({@code 500m + 2 = 2500m}, {@code 1Gi + 512Mi = 1536Mi}).
 *
 * <p>Written here rather than taken from fabric8's {@code Quantity.add}, which keeps the left operand's suffix and
 * prints {@code 1.5Gi} or {@code 2.5}: texts that no Kubernetes component writes. The rules follow apimachinery's
 * {@code resource.Quantity}: the sum takes the format (binary SI, decimal SI, decimal exponent) of its first non-zero
 * operand; values finer than a nano-unit round up; binary SI that is not a whole number, or is under 1024, prints as
 * decimal SI.
 */
final class Quantities {

    /** How a quantity is written, as apimachinery's {@code resource.Format}. */
    enum Format { BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT }

    /** A parsed quantity: its exact value and how it was written. */
    record Parsed(BigDecimal value, Format format) {
    }

    private static final Pattern QUANTITY = Pattern.compile(
            "([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final BigDecimal KIBI = BigDecimal.valueOf(1024);

    private Quantities() {
    }

    /**
     * Parses a quantity.
     *
     * @throws IllegalArgumentException when the text is not a Kubernetes quantity
     */
    static Parsed parse(String text) {
        Matcher m = text == null ? null : QUANTITY.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a Kubernetes quantity (e.g. 2, 500m, 4Gi, 1e3)");
        }
        BigDecimal number = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        BigDecimal value;
        Format format;
        switch (suffix) {
            case "" -> {
                value = number;
                format = Format.DECIMAL_SI;
            }
            case "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" -> {
                int power = "KMGTPE".indexOf(suffix.charAt(0)) + 1;
                value = number.multiply(KIBI.pow(power));
                format = Format.BINARY_SI;
            }
            case "n" -> {
                value = number.scaleByPowerOfTen(-9);
                format = Format.DECIMAL_SI;
            }
            case "u" -> {
                value = number.scaleByPowerOfTen(-6);
                format = Format.DECIMAL_SI;
            }
            case "m" -> {
                value = number.scaleByPowerOfTen(-3);
                format = Format.DECIMAL_SI;
            }
            case "k", "M", "G", "T", "P", "E" -> {
                value = number.scaleByPowerOfTen(3 * ("kMGTPE".indexOf(suffix.charAt(0)) + 1));
                format = Format.DECIMAL_SI;
            }
            default -> {
                int exponent;
                try {
                    exponent = Integer.parseInt(suffix.substring(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' has an exponent out of range");
                }
                if (Math.abs(exponent) > 100) {
                    throw new IllegalArgumentException("'" + text + "' has an exponent out of range");
                }
                value = number.scaleByPowerOfTen(exponent);
                format = Format.DECIMAL_EXPONENT;
            }
        }
        return new Parsed(roundUpToNano(value), format);
    }

    /** The canonical text of {@code value} in {@code format}, as the API server prints it. */
    static String format(BigDecimal value, Format format) {
        BigDecimal v = roundUpToNano(value);
        if (v.signum() == 0) {
            return "0";
        }
        if (format == Format.BINARY_SI) {
            boolean small = v.abs().compareTo(KIBI) < 0;
            boolean whole = v.stripTrailingZeros().scale() <= 0;
            if (!small && whole) {
                BigInteger mantissa = v.toBigIntegerExact();
                int power = 0;
                BigInteger kibi = BigInteger.valueOf(1024);
                while (power < BINARY_SUFFIXES.length - 1 && mantissa.mod(kibi).signum() == 0) {
                    mantissa = mantissa.divide(kibi);
                    power++;
                }
                return mantissa + BINARY_SUFFIXES[power];
            }
            format = Format.DECIMAL_SI;
        }
        // the largest exponent, a multiple of 3, that still leaves a whole mantissa
        BigDecimal stripped = v.stripTrailingZeros();
        int exponent = -stripped.scale();
        exponent = Math.floorDiv(exponent, 3) * 3;
        if (format == Format.DECIMAL_SI) {
            exponent = Math.max(-9, Math.min(18, exponent));
        }
        BigInteger mantissa = stripped.scaleByPowerOfTen(-exponent).toBigIntegerExact();
        if (format == Format.DECIMAL_EXPONENT) {
            return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
        }
        return mantissa + decimalSuffix(exponent);
    }

    /** Sums quantities; the result takes the format of the first non-zero term (zero terms have no say). */
    static String sum(Iterable<String> quantities) {
        BigDecimal total = BigDecimal.ZERO;
        Format format = null;
        for (String text : quantities) {
            Parsed parsed = parse(text);
            if (format == null && parsed.value().signum() != 0) {
                format = parsed.format();
            }
            total = total.add(parsed.value());
        }
        return format(total, format == null ? Format.DECIMAL_SI : format);
    }

    private static String decimalSuffix(int exponent) {
        return switch (exponent) {
            case -9 -> "n";
            case -6 -> "u";
            case -3 -> "m";
            case 0 -> "";
            case 3 -> "k";
            case 6 -> "M";
            case 9 -> "G";
            case 12 -> "T";
            case 15 -> "P";
            case 18 -> "E";
            default -> throw new IllegalStateException("no decimal SI suffix for 10^" + exponent);
        };
    }

    private static BigDecimal roundUpToNano(BigDecimal value) {
        return value.scale() > 9 ? value.setScale(9, RoundingMode.CEILING) : value;
    }
}

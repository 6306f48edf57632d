package dev.ferry.cli;

import dev.ferry.schema.ConfigException;
import dev.ferry.schema.ConfigValues;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A positive duration written as Ferry's configuration writes them: {@code 500ms}, {@code 15s}, {@code 2m}, {@code PT1M}. */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        Duration duration;
        try {
            // the same syntax as the ferry.* duration settings; no environment, so nothing overrides the value
            duration = ConfigValues.of(Map.of("value", value)).duration("value").orElseThrow(this::blank);
        } catch (ConfigException e) {
            throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 15s, 2m or PT1M");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new TypeConversionException("must be positive, was '" + value + "'");
        }
        return duration;
    }

    private TypeConversionException blank() {
        return new TypeConversionException("is empty; write a duration such as 15s");
    }
}

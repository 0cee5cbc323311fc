package com.intervu.keycloak;

import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import org.keycloak.validate.AbstractStringValidator;
import org.keycloak.validate.ValidationContext;
import org.keycloak.validate.ValidationError;
import org.keycloak.validate.ValidatorConfig;

/**
 * Refuses a date of birth younger than the configured age (Intervu: 17), wherever Keycloak validates the user
 * profile: the registration page, the account console, the admin API.
 *
 * Keycloak's built-in validators check that a value is a date, not how long ago it was; the age limit in the
 * privacy policy has to hold at sign-up, so it is enforced here, in Keycloak itself, and again by every Intervu
 * service on the token's birthdate claim.
 */
public class MinimumAgeValidator extends AbstractStringValidator {

    public static final String ID = "intervu-minimum-age";
    public static final String MESSAGE_UNDERAGE = "intervu-error-underage";
    public static final String MESSAGE_INVALID = "intervu-error-invalid-birthdate";

    @Override
    public String getId() {
        return ID;
    }

    @Override
    protected void doValidate(String value, String inputHint, ValidationContext context, ValidatorConfig config) {
        int minAge = config.getIntOrDefault("min-age", 17);
        LocalDate born;
        try {
            born = LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            context.addError(new ValidationError(ID, inputHint, MESSAGE_INVALID));
            return;
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        if (born.isAfter(today) || born.isBefore(today.minusYears(130))) {
            context.addError(new ValidationError(ID, inputHint, MESSAGE_INVALID));
            return;
        }
        if (Period.between(born, today).getYears() < minAge) {
            context.addError(new ValidationError(ID, inputHint, MESSAGE_UNDERAGE, minAge));
        }
    }
}

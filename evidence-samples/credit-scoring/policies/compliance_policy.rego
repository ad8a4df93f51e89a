package mlops.compliance

default allow = false

# Allow if it's minimal risk
allow {
	input.risk_category == "Minimal"
}

# For High Risk, we need strict checks
allow {
	input.risk_category == "High"
	valid_high_risk_compliance
}

valid_high_risk_compliance {
	# 1. Bias check must be completed (Article 10)
	input.training_data.bias_check_completed == true
	# 2. Fairness metric must be acceptable (Article 15)
	# E.g., Disparate Impact Ratio between 0.8 and 1.25 (the 4/5ths rule)
	input.performance.disparate_impact_ratio >= 0.8
	input.performance.disparate_impact_ratio <= 1.25
	# 3. Documentation must exist (Article 11)
	input.documentation.model_card_present == true
	# 4. PII must be handled (GDPR/Article 10)
	input.training_data.contains_pii == false
}

# Denial with reasons
deny[msg] {
	input.risk_category == "High"
	input.training_data.bias_check_completed == false
	msg := "High Risk models must undergo bias testing before deployment."
}

deny[msg] {
	input.risk_category == "High"
	input.performance.disparate_impact_ratio < 0.8
	msg := sprintf("Disparate Impact Ratio %v is too low (potential bias against protected group).", [input.performance.disparate_impact_ratio])
}

deny[msg] {
	input.risk_category == "High"
	input.training_data.contains_pii == true
	msg := "Training data contains raw PII. Must be redacted or tokenized."
}

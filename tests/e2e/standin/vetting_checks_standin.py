"""A tiny assess_inquiry for the e2e tests until issue 3's checks land (never product code)."""

from prefect import flow

from csflows.models import Assessment, CheckResult, Evidence, MissingField, NewCustomerInquiry


@flow(name="assess-inquiry")
def assess_inquiry(
    form: NewCustomerInquiry, form_problems: list[MissingField] | None = None
) -> Assessment:
    missing = [
        MissingField(field=f, reason="is required")
        for f in ("email", "website")
        if not getattr(form, f)
    ]
    if missing:
        return Assessment(recommendation="incomplete", missing_fields=missing)
    amazon = "fail" if form.sells_on_amazon else "pass"
    criteria = {
        name: CheckResult(
            criterion=name, verdict="pass", evidence=[Evidence(source="stand-in", fact="ok")]
        )
        for name in ("address", "website", "products", "minimums")
    }
    criteria["amazon"] = CheckResult(
        criterion="amazon",
        verdict=amazon,
        evidence=[Evidence(source="form", fact=f"sells on Amazon: {form.sells_on_amazon}")],
    )
    return Assessment(
        recommendation="decline" if amazon == "fail" else "approve", criteria=criteria
    )

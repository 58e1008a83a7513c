import sys


def pytest_terminal_summary(terminalreporter):
    """How many requests the schemathesis run sent, when it ran."""
    module = sys.modules.get("tests.api.test_schemathesis")
    sent = getattr(module, "SENT", None)
    if not sent:
        return
    statuses = ", ".join(f"{sent[key]} {key}" for key in sorted(sent) if key.endswith("xx"))
    total = sent["positive"] + sent["negative"] + sent["boundary"]
    terminalreporter.write_line(
        f"schemathesis: {total} generated requests to {len(module.OPERATIONS)} operations "
        f"({sent['positive']} positive and {sent['negative']} negative, each as "
        f"{', '.join(module.ROLES)}; {sent['boundary']} boundary cases; {statuses})"
    )

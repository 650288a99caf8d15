"""The project's exceptions, one small tree.

    ComplaintError            anything the project raises on purpose
    ├── InputError            a person gave input that breaks a rule (names the field)
    │   ├── PolicyError       the policy file is unreadable or inconsistent
    │   ├── StageInputError   a stage form was answered with something the rules refuse
    │   └── ProblemError      an operations run refused its input (models/problems.py: the
    │                         problems as data, shown in the staff language)
    ├── CaseNotFound          no case with that number
    ├── WrongStage            the case is not waiting for that stage
    ├── NotServing            the Prefect server or the complaint deployment is not there
    ├── DeliveryError         a channel could not deliver a message (transient: retried)
    └── StoreError            the case store refused or failed a unit of work; one line
                              naming the table/column/constraint, never the values given
                              (`transient`: the store did not answer, retried)

Domain errors (InputError and below, CaseNotFound, WrongStage) are never retried by
tasks; DeliveryError and a StoreError with `transient` set are.
"""


class ComplaintError(Exception):
    """Base of everything the project raises on purpose."""


class InputError(ComplaintError, ValueError):
    """Input that breaks a rule; the message names the field and what is allowed."""


class PolicyError(InputError):
    """The policy file cannot be read or does not describe a valid policy."""


class StageInputError(InputError):
    """A stage form answer the rules refuse; `problems` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class CaseNotFound(ComplaintError, LookupError):
    """No case with that number."""


class WrongStage(ComplaintError):
    """The case is not waiting for the stage that was answered."""


class NotServing(ComplaintError):
    """The Prefect server does not answer, or does not know the complaint deployment."""


class DeliveryError(ComplaintError):
    """A channel could not deliver a message; the outbox row stays pending."""


class StoreError(ComplaintError):
    """A unit of work of the case store failed (models.store.transaction). The message
    names the error, table, column or constraint and never the SQL or its values, so it
    may reach a Prefect log, a state message or the CLI. `transient`: the store did not
    answer or dropped the connection, and trying again may work."""

    def __init__(self, message: str, *, transient: bool = False, kind: str = "") -> None:
        super().__init__(message)
        self.transient, self.kind = transient, kind

"""Entity types of employee data, modelled on SAP SuccessFactors Employee Central's OData v2 API.

S/4HANA publishes no OData API for employees' pay; SAP landscapes keep it in SuccessFactors
Employee Central, whose OData v2 API serves the entity sets below under these names, with
these property names and navigations. Only the properties the gateway reads (and a few that
give the records their shape) are defined; ``docs/sap.md`` lists what is modelled on what and
what is simplified (picklists as plain codes, one effective-dated record per employee).
"""

from __future__ import annotations

from erp_sandbox.odata.edm import (
    EdmType,
    EntitySet,
    EntityType,
    NavigationProperty,
    Property,
    Service,
    date,
    key_string,
    string,
)


def _text(name: str, length: int, **options: object) -> Property:
    # SuccessFactors keeps the case of texts; SAP's UpperCase display format would be wrong.
    return string(name, length, display_format=None, **options)


def _sequence() -> Property:
    return Property("seqNumber", EdmType.INT64, nullable=False, label="Event Sequence")


PER_PERSON = EntityType(
    name="PerPerson",
    label="Biographical Information",
    keys=("personIdExternal",),
    properties=(key_string("personIdExternal", 32, display_format=None, label="Person ID"),),
    navigations=(
        NavigationProperty(
            "personalInfoNav", "PerPersonal", True, (("personIdExternal", "personIdExternal"),)
        ),
    ),
)

PER_PERSONAL = EntityType(
    name="PerPersonal",
    label="Personal Information",
    keys=("personIdExternal", "startDate"),
    properties=(
        key_string("personIdExternal", 32, display_format=None, label="Person ID"),
        date("startDate", nullable=False, label="Start Date"),
        date("endDate", label="End Date"),
        _text("firstName", 128, label="First Name"),
        _text("lastName", 128, label="Last Name"),
    ),
)

EMP_EMPLOYMENT = EntityType(
    name="EmpEmployment",
    label="Employment Details",
    keys=("personIdExternal", "userId"),
    properties=(
        key_string("personIdExternal", 32, display_format=None, label="Person ID"),
        key_string("userId", 100, display_format=None, label="User ID"),
        date("startDate", label="Hire Date"),
        date("endDate", label="Termination Date"),
    ),
    navigations=(
        NavigationProperty(
            "personNav", "PerPerson", False, (("personIdExternal", "personIdExternal"),)
        ),
        NavigationProperty("jobInfoNav", "EmpJob", True, (("userId", "userId"),)),
        NavigationProperty("compInfoNav", "EmpCompensation", True, (("userId", "userId"),)),
        NavigationProperty(
            "paymentInformationNav", "PaymentInformationV3", True, (("personIdExternal", "worker"),)
        ),
    ),
)

EMP_JOB = EntityType(
    name="EmpJob",
    label="Job Information",
    keys=("seqNumber", "startDate", "userId"),
    properties=(
        _sequence(),
        date("startDate", nullable=False, label="Event Date"),
        key_string("userId", 100, display_format=None, label="User ID"),
        date("endDate", label="End Date"),
        _text("company", 32, label="Company"),
        _text("department", 32, label="Department"),
        _text("jobTitle", 256, label="Job Title"),
        _text("emplStatus", 32, label="Employee Status"),
    ),
)

EMP_COMPENSATION = EntityType(
    name="EmpCompensation",
    label="Compensation Information",
    keys=("startDate", "userId"),
    properties=(
        date("startDate", nullable=False, label="Event Date"),
        key_string("userId", 100, display_format=None, label="User ID"),
        _sequence(),
        date("endDate", label="End Date"),
    ),
    navigations=(
        NavigationProperty(
            "empPayCompRecurringNav",
            "EmpPayCompRecurring",
            True,
            (("userId", "userId"), ("startDate", "startDate")),
        ),
    ),
)

EMP_PAY_COMP_RECURRING = EntityType(
    name="EmpPayCompRecurring",
    label="Recurring Pay Component",
    keys=("payComponent", "seqNumber", "startDate", "userId"),
    properties=(
        key_string("payComponent", 32, display_format=None, label="Pay Component"),
        _sequence(),
        date("startDate", nullable=False, label="Start Date"),
        key_string("userId", 100, display_format=None, label="User ID"),
        date("endDate", label="End Date"),
        Property("paycompvalue", EdmType.DOUBLE, label="Amount"),
        _text("currencyCode", 20, label="Currency"),
        _text("frequency", 32, label="Frequency"),
    ),
)

PAYMENT_INFORMATION = EntityType(
    name="PaymentInformationV3",
    label="Payment Information",
    keys=("effectiveStartDate", "worker"),
    properties=(
        date("effectiveStartDate", nullable=False, label="Effective Start Date"),
        key_string("worker", 100, display_format=None, label="Worker"),
    ),
    navigations=(
        NavigationProperty(
            "toPaymentInformationDetailV3",
            "PaymentInformationDetailV3",
            True,
            (
                ("worker", "PaymentInformationV3_worker"),
                ("effectiveStartDate", "PaymentInformationV3_effectiveStartDate"),
            ),
        ),
    ),
)

PAYMENT_INFORMATION_DETAIL = EntityType(
    name="PaymentInformationDetailV3",
    label="Payment Information Details",
    keys=("PaymentInformationV3_effectiveStartDate", "PaymentInformationV3_worker", "externalCode"),
    properties=(
        date("PaymentInformationV3_effectiveStartDate", nullable=False, label="Effective Start"),
        key_string("PaymentInformationV3_worker", 100, display_format=None, label="Worker"),
        Property("externalCode", EdmType.INT64, nullable=False, label="External Code"),
        _text("payType", 128, label="Pay Type"),
        _text("iban", 34, label="IBAN"),
        _text("accountNumber", 128, label="Account Number"),
        _text("routingNumber", 128, label="Routing Number"),
        _text("bank", 128, label="Bank"),
        _text("businessIdentifierCode", 11, label="Business Identifier Code"),
        _text("bankCountry", 128, label="Bank Country"),
        _text("accountOwner", 256, label="Account Owner"),
        _text("currency", 128, label="Currency"),
    ),
)

EMPLOYEE_SERVICE_NAME = "SFSF_EC_EMPLOYEE"
"""The sandbox's name for the service; SuccessFactors serves the sets at ``/odata/v2/``."""

EMPLOYEE_SERVICE = Service(
    name=EMPLOYEE_SERVICE_NAME,
    component_id="LOD-SF-EC",
    entity_sets=(
        EntitySet("PerPerson", PER_PERSON),
        EntitySet("PerPersonal", PER_PERSONAL),
        EntitySet("EmpEmployment", EMP_EMPLOYMENT),
        EntitySet("EmpJob", EMP_JOB),
        EntitySet("EmpCompensation", EMP_COMPENSATION),
        EntitySet("EmpPayCompRecurring", EMP_PAY_COMP_RECURRING),
        EntitySet("PaymentInformationV3", PAYMENT_INFORMATION),
        EntitySet("PaymentInformationDetailV3", PAYMENT_INFORMATION_DETAIL),
    ),
)

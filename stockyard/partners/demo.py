"""Demo suppliers and customers for ``manage.py seed_demo``, made through the services.

Idempotent: a partner whose code exists is left as it is.
"""

from decimal import Decimal

from stockyard.partners import services
from stockyard.partners.models import Customer, Supplier
from stockyard.partners.services import CustomerDetails, SupplierDetails

SUPPLIERS: list[tuple[str, str, SupplierDetails]] = [
    (
        "SUP-ACME",
        "Acme Industrial Supply",
        {
            "email": "orders@acme-industrial.example",
            "phone": "+1 312 555 0101",
            "address": "400 W Lake St, Chicago, IL 60606",
            "tax_id": "36-4567890",
            "bank_account": "021000021 / 4455667788",
            "lead_time_days": 5,
        },
    ),
    (
        "SUP-NORTHFAST",
        "Northwind Fasteners",
        {
            "email": "sales@northwind-fasteners.example",
            "phone": "+1 216 555 0144",
            "address": "1800 E 30th St, Cleveland, OH 44114",
            "tax_id": "34-1928374",
            "bank_account": "041000124 / 9081726354",
            "lead_time_days": 3,
        },
    ),
    (
        "SUP-BRIGHT",
        "Brightline Electrical",
        {
            "email": "trade@brightline.example",
            "phone": "+1 404 555 0178",
            "address": "55 Marietta St NW, Atlanta, GA 30303",
            "tax_id": "58-2233445",
            "bank_account": "061000104 / 5566778899",
            "lead_time_days": 7,
        },
    ),
    (
        "SUP-SAFEHANDS",
        "SafeHands PPE",
        {
            "email": "orders@safehands.example",
            "phone": "+1 602 555 0119",
            "address": "2 N Central Ave, Phoenix, AZ 85004",
            "tax_id": "86-7654321",
            "bank_account": "122100024 / 1122334455",
            "lead_time_days": 10,
        },
    ),
    (
        "SUP-BOXCO",
        "BoxCo Packaging",
        {
            "email": "hello@boxco.example",
            "phone": "+1 971 555 0160",
            "address": "2000 NW Industrial St, Portland, OR 97210",
            "tax_id": "93-5566778",
            "bank_account": "123000220 / 6677889900",
            "lead_time_days": 4,
        },
    ),
]

CUSTOMERS: list[tuple[str, str, CustomerDetails]] = [
    (
        "CUS-BLUEOAK",
        "Blue Oak Builders",
        {
            "email": "accounts@blueoak.example",
            "phone": "+1 503 555 0142",
            "billing_address": "12 Alder St, Portland, OR 97205",
            "shipping_address": "Yard 3, 880 NW Front Ave, Portland, OR 97209",
            "tax_id": "93-1234567",
            "credit_limit": Decimal("25000.00"),
        },
    ),
    (
        "CUS-HARBOR",
        "Harbor Marine Services",
        {
            "email": "purchasing@harbormarine.example",
            "phone": "+1 206 555 0187",
            "billing_address": "1 Pier 66, Seattle, WA 98121",
            "shipping_address": "1 Pier 66, Seattle, WA 98121",
            "tax_id": "91-8765432",
            "credit_limit": Decimal("10000.00"),
        },
    ),
    (
        "CUS-RIDGE",
        "Ridgeline Property Maintenance",
        {
            "email": "ops@ridgeline.example",
            "phone": "+1 720 555 0133",
            "billing_address": "1700 Lincoln St, Denver, CO 80203",
            "shipping_address": "4800 Dahlia St, Denver, CO 80216",
            "tax_id": "84-3344556",
            "credit_limit": Decimal("5000.00"),
        },
    ),
    (
        "CUS-MAPLE",
        "Maple Street Hardware",
        {
            "email": "owner@maplestreethw.example",
            "phone": "+1 614 555 0109",
            "billing_address": "221 Maple St, Columbus, OH 43215",
            "shipping_address": "221 Maple St, Columbus, OH 43215",
            "tax_id": "31-9988776",
            "credit_limit": Decimal("7500.00"),
        },
    ),
    (
        "CUS-SUMMIT",
        "Summit Electrical Contractors",
        {
            "email": "ap@summit-electric.example",
            "phone": "+1 801 555 0171",
            "billing_address": "50 S Main St, Salt Lake City, UT 84101",
            "shipping_address": "3300 S 900 W, Salt Lake City, UT 84119",
            "tax_id": "87-1122334",
            "credit_limit": None,
        },
    ),
    (
        "CUS-CITYWORKS",
        "City of Riverton Public Works",
        {
            "email": "procurement@riverton.example",
            "phone": "+1 307 555 0125",
            "billing_address": "816 N Federal Blvd, Riverton, WY 82501",
            "shipping_address": "Depot, 1200 Sunset Dr, Riverton, WY 82501",
            "tax_id": "83-6000123",
            "credit_limit": None,
        },
    ),
    (
        "CUS-GREENLEAF",
        "Greenleaf Landscaping",
        {
            "email": "office@greenleaf.example",
            "phone": "+1 512 555 0156",
            "billing_address": "900 Congress Ave, Austin, TX 78701",
            "shipping_address": "7400 Burleson Rd, Austin, TX 78744",
            "tax_id": "74-2468013",
            "credit_limit": Decimal("3000.00"),
        },
    ),
    (
        "CUS-NORDIC",
        "Nordic Workshop GmbH",
        {
            "email": "einkauf@nordic-workshop.example",
            "phone": "+49 40 555 0190",
            "billing_address": "Grosse Elbstrasse 145, 22767 Hamburg, Germany",
            "shipping_address": "Grosse Elbstrasse 145, 22767 Hamburg, Germany",
            "tax_id": "DE 123 456 789",
            "currency": "EUR",
            "credit_limit": Decimal("15000.00"),
        },
    ),
]


def seed() -> list[str]:
    existing_suppliers = set(Supplier.objects.values_list("code", flat=True))
    new_suppliers = [row for row in SUPPLIERS if row[0] not in existing_suppliers]
    for code, name, supplier_details in new_suppliers:
        services.supplier_create(code=code, name=name, **supplier_details)

    existing_customers = set(Customer.objects.values_list("code", flat=True))
    new_customers = [row for row in CUSTOMERS if row[0] not in existing_customers]
    for code, name, customer_details in new_customers:
        services.customer_create(code=code, name=name, **customer_details)

    return [
        f"Partners: {len(SUPPLIERS)} suppliers ({len(new_suppliers)} created), "
        f"{len(CUSTOMERS)} customers ({len(new_customers)} created)"
    ]

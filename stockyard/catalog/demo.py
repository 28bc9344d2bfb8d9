"""Demo catalog for ``manage.py seed_demo``: a small category tree and 50 products of an
industrial supplies business, each with its default supplier from the partners demo.

Made through the services; idempotent (categories are found by name and parent, products
by SKU, and existing ones are left as they are).
"""

from decimal import Decimal

from stockyard.catalog import services
from stockyard.catalog.models import Category, Product, Unit
from stockyard.partners.models import Supplier

CATEGORY_TREE: dict[str, list[str]] = {
    "Hardware": ["Fasteners", "Hand tools", "Power tools"],
    "Electrical": ["Cables & wiring", "Lighting & power"],
    "Safety": ["Gloves", "Eye & ear protection"],
    "Packaging": ["Boxes", "Tape & film"],
}

# sku, name, unit, price, cost, reorder point, reorder quantity
ProductRow = tuple[str, str, str, str, str, int, int]

# (subcategory, default supplier code) -> products
PRODUCTS: dict[tuple[str, str], list[ProductRow]] = {
    ("Fasteners", "SUP-NORTHFAST"): [
        ("FAS-HXB-M6X30", "Hex bolt M6x30 mm, zinc (box of 100)", "box", "12.40", "6.10", 20, 100),
        ("FAS-HXB-M8X40", "Hex bolt M8x40 mm, zinc (box of 100)", "box", "18.90", "9.40", 20, 100),
        ("FAS-HXB-M10X50", "Hex bolt M10x50 mm, zinc (box of 50)", "box", "21.50", "10.80", 10, 50),
        ("FAS-HXN-M8", "Hex nut M8, zinc (box of 200)", "box", "7.90", "3.20", 20, 100),
        ("FAS-WSH-M8", "Flat washer M8, zinc (box of 200)", "box", "5.40", "2.10", 20, 100),
        ("FAS-WDS-4X40", "Wood screw 4 x 40 mm, pozi (box of 200)", "box", "9.80", "4.30", 30, 120),
        ("FAS-DRY-35", "Drywall screw 3.5 x 35 mm (box of 1000)", "box", "16.50", "7.90", 15, 60),
        ("FAS-ANC-M8", "Wedge anchor M8 x 75 mm (box of 50)", "box", "24.90", "12.30", 10, 40),
        ("FAS-RVT-4812", "Blind rivet 4.8x12 mm, alu (box of 500)", "box", "19.90", "8.70", 8, 30),
        ("FAS-ROD-M8", "Threaded rod M8 x 1 m, zinc", "pcs", "3.20", "1.40", 50, 200),
    ],
    ("Hand tools", "SUP-ACME"): [
        ("HT-HAM-16", "Claw hammer 16 oz, fiberglass handle", "pcs", "24.90", "11.20", 6, 24),
        ("HT-SDS-6", "Screwdriver set, 6 pieces", "set", "19.90", "8.90", 6, 24),
        ("HT-WRN-10", "Combination wrench set 8-19 mm, 10 pieces", "set", "39.90", "18.50", 4, 12),
        ("HT-PLR-8", "Combination pliers 8 in", "pcs", "14.50", "6.40", 6, 24),
        ("HT-TAP-8M", "Tape measure 8 m", "pcs", "12.90", "5.20", 10, 40),
        ("HT-LVL-600", "Spirit level 600 mm", "pcs", "22.50", "9.90", 4, 12),
        ("HT-KNF-UT", "Utility knife, retractable blade", "pcs", "8.90", "3.10", 12, 48),
        ("HT-HEX-9", "Hex key set 1.5-10 mm, 9 pieces", "set", "11.90", "4.80", 8, 24),
        ("HT-SAW-550", "Hand saw 550 mm", "pcs", "18.90", "8.20", 4, 12),
    ],
    ("Power tools", "SUP-ACME"): [
        ("PT-DRL-18V", "Cordless drill driver 18 V, body only", "pcs", "149.00", "92.00", 3, 6),
        ("PT-IMP-18V", "Cordless impact driver 18 V, body only", "pcs", "169.00", "104.00", 2, 6),
        ("PT-BAT-18V5", "Battery pack 18 V 5.0 Ah", "pcs", "89.00", "51.00", 5, 15),
        ("PT-ANG-125", "Angle grinder 125 mm, 1100 W", "pcs", "79.00", "46.00", 3, 6),
        ("PT-JIG-650", "Jigsaw 650 W", "pcs", "99.00", "58.00", 2, 4),
        ("PT-BIT-HSS19", "HSS drill bit set 1-10 mm, 19 pieces", "set", "24.90", "10.90", 6, 24),
    ],
    ("Cables & wiring", "SUP-BRIGHT"): [
        ("EL-CBL-NM14", "NM-B cable 14/2 with ground, 250 ft", "roll", "89.00", "58.00", 5, 20),
        ("EL-CBL-NM12", "NM-B cable 12/2 with ground, 250 ft", "roll", "129.00", "84.00", 5, 20),
        ("EL-EXT-25", "Extension cord 25 ft, 16/3", "pcs", "24.90", "12.50", 6, 24),
        ("EL-WNT-150", "Wire nut assortment (box of 150)", "box", "14.90", "6.20", 6, 24),
        ("EL-TAPE-BLK", "Electrical tape, black, 19 mm x 20 m", "roll", "2.90", "0.95", 40, 200),
        ("EL-CTI-200", "Cable ties 200 mm, black (bag of 100)", "bag", "6.90", "2.40", 20, 100),
    ],
    ("Lighting & power", "SUP-BRIGHT"): [
        ("EL-LED-A19", "LED bulb A19 9 W, 2700 K", "pcs", "3.90", "1.60", 50, 200),
        ("EL-LED-PNL60", "LED panel 600 x 600 mm, 40 W", "pcs", "49.00", "27.00", 4, 16),
        ("EL-WRK-30W", "LED work light 30 W, rechargeable", "pcs", "59.00", "31.00", 3, 12),
        ("EL-HDL-300", "Head torch 300 lm", "pcs", "19.90", "8.40", 8, 24),
        ("EL-BAT-AA24", "AA alkaline batteries (pack of 24)", "pack", "14.90", "7.10", 10, 40),
    ],
    ("Gloves", "SUP-SAFEHANDS"): [
        ("PPE-GLV-NIT-L", "Nitrile gloves, size L (box of 100)", "box", "12.90", "6.30", 20, 80),
        ("PPE-GLV-NIT-M", "Nitrile gloves, size M (box of 100)", "box", "12.90", "6.30", 20, 80),
        ("PPE-GLV-CUT-9", "Cut-resistant gloves, level B, size 9", "pair", "9.90", "4.20", 24, 96),
        ("PPE-GLV-LTH", "Leather work gloves, one size", "pair", "11.50", "4.90", 24, 96),
    ],
    ("Eye & ear protection", "SUP-SAFEHANDS"): [
        ("PPE-GOG-CLR", "Safety goggles, clear, anti-fog", "pcs", "7.90", "2.90", 20, 80),
        ("PPE-GLS-CLR", "Safety glasses, clear", "pcs", "4.50", "1.60", 30, 120),
        ("PPE-EAR-200", "Foam earplugs (box of 200 pairs)", "box", "29.90", "13.50", 5, 20),
        ("PPE-EAR-MUF", "Ear defenders, SNR 30 dB", "pcs", "18.90", "8.10", 6, 24),
    ],
    ("Boxes", "SUP-BOXCO"): [
        ("PKG-BOX-S", "Shipping box 305x215x140 mm (25)", "bundle", "18.50", "8.90", 10, 40),
        ("PKG-BOX-M", "Shipping box 457x305x305 mm (25)", "bundle", "27.50", "13.40", 10, 40),
        ("PKG-BOX-L", "Shipping box 610x457x457 mm (10)", "bundle", "24.90", "12.10", 5, 20),
    ],
    ("Tape & film", "SUP-BOXCO"): [
        ("PKG-TAPE-48", "Packing tape 48 mm x 66 m, clear", "roll", "3.20", "1.10", 36, 144),
        ("PKG-STR-500", "Stretch film 500 mm x 300 m", "roll", "19.90", "10.20", 10, 40),
        ("PKG-BUB-500", "Bubble wrap 500 mm x 50 m", "roll", "24.50", "12.90", 5, 20),
    ],
}  # fmt: skip


def _category(name: str, parent: Category | None) -> tuple[Category, bool]:
    """The category named ``name`` under ``parent``, created if missing."""
    existing = Category.objects.filter(name=name, parent=parent).first()
    if existing is not None:
        return existing, False
    return services.category_create(name=name, parent=parent), True


def _category_tree() -> tuple[dict[str, Category], int]:
    """Subcategories by name, and how many categories were created."""
    subcategories: dict[str, Category] = {}
    created = 0
    for root_name, child_names in CATEGORY_TREE.items():
        root, made = _category(root_name, None)
        created += made
        for child_name in child_names:
            subcategories[child_name], made = _category(child_name, root)
            created += made
    return subcategories, created


def seed() -> list[str]:
    categories, categories_created = _category_tree()
    suppliers = Supplier.objects.in_bulk([code for _, code in PRODUCTS], field_name="code")
    existing = set(Product.objects.values_list("sku", flat=True))
    units = Unit.objects.in_bulk(field_name="code")
    for code in sorted({row[2] for rows in PRODUCTS.values() for row in rows} - set(units)):
        units[code] = services.unit_create(code=code, name=code, decimal_places=0)
    products_created = 0
    for (category_name, supplier_code), rows in PRODUCTS.items():
        supplier = suppliers.get(supplier_code)
        for sku, name, unit, price, cost, reorder_point, reorder_quantity in rows:
            if sku in existing:
                continue
            services.product_create(
                sku=sku,
                name=name,
                unit=units[unit],
                category=categories[category_name],
                supplier=supplier,
                price=Decimal(price),
                cost=Decimal(cost),
                reorder_point=Decimal(reorder_point),
                reorder_quantity=Decimal(reorder_quantity),
                lead_time_days=supplier.lead_time_days if supplier else 0,
            )
            products_created += 1
    category_count = len(CATEGORY_TREE) + len(categories)
    product_count = sum(len(rows) for rows in PRODUCTS.values())
    return [
        f"Catalog: {category_count} categories ({categories_created} created), "
        f"{product_count} products ({products_created} created)"
    ]

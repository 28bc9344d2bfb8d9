import factory

from stockyard.partners.models import Customer, Supplier


class SupplierFactory(factory.django.DjangoModelFactory[Supplier]):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"SUP-{n:04d}")
    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.Sequence(lambda n: f"orders{n}@supplier.example")
    phone = "+1 555 0100"
    tax_id = factory.Sequence(lambda n: f"TAX-S-{n:06d}")
    bank_account = factory.Sequence(lambda n: f"DE89 3704 0044 0532 {n:06d}")
    lead_time_days = 7


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"CUS-{n:04d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"buyer{n}@customer.example")
    phone = "+1 555 0200"
    tax_id = factory.Sequence(lambda n: f"TAX-C-{n:06d}")
    billing_address = "1 Main St, Springfield"
    shipping_address = "1 Main St, Springfield"

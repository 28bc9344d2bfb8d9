from django.contrib import admin

from stockyard.catalog.models import Category, Product
from stockyard.partners.admin import BrowseOnlyAdmin


@admin.register(Category)
class CategoryAdmin(BrowseOnlyAdmin[Category]):
    list_display = ["name", "parent"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(BrowseOnlyAdmin[Product]):
    list_display = ["sku", "name", "category", "supplier", "price", "currency", "is_active"]
    list_select_related = ["category", "supplier"]
    list_filter = ["is_active", "currency", "category", "supplier"]
    search_fields = ["sku", "name", "barcode"]

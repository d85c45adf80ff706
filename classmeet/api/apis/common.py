"""Small helpers shared by the API views: the signed-in user, pagination of lists, forms."""

import inspect
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, cast

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from rest_framework import exceptions, serializers
from rest_framework.fields import Field, SkipField, is_simple_callable
from rest_framework.relations import PKOnlyObject
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet.api.pagination import ApiPagination

# Ids the API accepts anywhere (path, query or body): within the database's 64-bit range, and the
# same bound as the `dbid` path converter.
MAX_ID = 10**18 - 1


def paginated(
    view: APIView,
    request: Request,
    items: QuerySet[Any] | Sequence[Any],
    serializer: type[serializers.BaseSerializer[Any]],
    context: dict[str, Any] | None = None,
) -> Response:
    """Return one page of `items` in the API's page envelope (count, next, previous, results)."""
    paginator = ApiPagination()
    page = paginator.paginate_queryset(items, request, view=view)  # type: ignore[arg-type]
    data = serializer(page, many=True, context=context or {"request": request}).data
    return paginator.get_paginated_response(data)


# DRF asks inspect.signature() whether a method it reads takes no argument, for every row and
# field; the answer per function never changes.
_SIMPLE_METHODS: dict[Any, bool] = {}


def _attribute(instance: Any, attrs: Sequence[str]) -> Any:
    """rest_framework.fields.get_attribute, remembering is_simple_callable() per method."""
    for attr in attrs:
        try:
            instance = instance[attr] if isinstance(instance, Mapping) else getattr(instance, attr)
        except ObjectDoesNotExist:
            return None
        if inspect.ismethod(instance):
            function = instance.__func__
            simple = _SIMPLE_METHODS.get(function)
            if simple is None:
                simple = _SIMPLE_METHODS[function] = is_simple_callable(instance)
            if simple:
                instance = instance()
        elif is_simple_callable(instance):
            instance = instance()
    return instance


class FastOutputMixin:
    """For output serializers of lists: the same fields, values and schema as DRF's
    Serializer.to_representation, with less work per row and field (a list of 20 meetings read
    `phase` and `is_joinable` through inspect.signature() 40 times)."""

    @cached_property
    def _output_plan(self) -> list[tuple[str, tuple[str, ...], Field[Any, Any, Any, Any], bool]]:
        fields = self._readable_fields  # type: ignore[attr-defined]
        return [
            (f.field_name, tuple(f.source_attrs), f, type(f).get_attribute is Field.get_attribute)
            for f in fields
        ]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        ret: dict[str, Any] = {}
        for name, attrs, field, plain in self._output_plan:
            try:
                if not plain:
                    raise KeyError(name)
                attribute = _attribute(instance, attrs)
            except (KeyError, AttributeError):
                # The field's own lookup decides: its default, None, skip or the error.
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check is None else field.to_representation(attribute)
        return ret


class PartialInput:
    """Mixed into a create operation's input serializer for its PATCH: every field optional and
    without a default, so only what the client sent changes (and the schema says so)."""

    fields: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


def validated(
    serializer_class: type[serializers.Serializer[Any]], data: Any, **kwargs: Any
) -> dict[str, Any]:
    """Validate input with the view's serializer; a failure is a 400 with field errors."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return cast(dict[str, Any], serializer.validated_data)


def validated_query(
    serializer_class: type[serializers.Serializer[Any]], request: Request
) -> dict[str, Any]:
    """Validate the query string as a plain dict: DRF reads `?phase=` from a form-like QueryDict
    as "not given", but it is an invalid value and gets a 400 like any other."""
    return validated(serializer_class, request.query_params.dict())


def form_checked(form: forms.Form) -> forms.Form:
    """Run the HTML page's form over the same input, so the API applies the very same rules
    (join codes, upload content checks...); a failure is a 400 with the form's field errors."""
    if not form.is_valid():
        raise exceptions.ValidationError(
            {
                ("non_field_errors" if name == "__all__" else name): [str(e) for e in errors]
                for name, errors in form.errors.items()
            }
        )
    return form

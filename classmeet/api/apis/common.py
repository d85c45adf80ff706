"""Small helpers shared by the API views: the signed-in user, pagination of lists, forms."""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from rest_framework import exceptions, serializers
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

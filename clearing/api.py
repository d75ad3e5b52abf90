"""Clear requests API (``/api/v1/clearing/``): list my requests, file one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from accounts.members import MemberAPIMixin
from accounts.models import Account
from clearing.models import ClearRequest
from clearing.selectors import clear_requests_of
from clearing.services import REASON_MAX_LENGTH, clear_request_submit, not_in_downline


class ClearRequestSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member.number", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ClearRequest
        fields = (
            "id",
            "kind",
            "kind_label",
            "member",
            "member_name",
            "reason",
            "status",
            "as_of",
            "submitted_at",
            "due_on",
            "decided_at",
            "decision_note",
            "facts",
        )
        read_only_fields = fields


class ClearRequestCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, help_text="Account number of the member to clear.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, default="")


class ClearRequestListCreate(MemberAPIMixin, generics.ListCreateAPIView):
    """GET: my clear requests, newest first. POST {member, reason}: file a clear request."""

    serializer_class = ClearRequestSerializer

    def get_queryset(self):
        return clear_requests_of(requester=self.member())

    @extend_schema(
        request=ClearRequestCreateSerializer,
        # 400: the shared Refusal shape, documented once by plexus_office.schema_hooks.
        responses={201: ClearRequestSerializer},
    )
    def post(self, request, *args, **kwargs):
        account = self.member()
        incoming = ClearRequestCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        number = incoming.validated_data["member"]
        member = Account.objects.filter(number=number).first()
        if member is None:
            # The same answer as for an account outside the downline: numbers are not enumerable.
            raise not_in_downline(number=number, requester_number=account.number)
        # A refusal becomes a 400 {"code", "detail", "field"} in the platform's exception handler.
        made = clear_request_submit(
            requester=account, member=member, reason=incoming.validated_data["reason"], actor=request.user
        )
        return Response(ClearRequestSerializer(made).data, status=status.HTTP_201_CREATED)

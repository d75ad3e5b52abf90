"""Self-service API of the Leads program: sponsor corrections and the member's own qualification."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.members import MemberAPIMixin
from accounts.selectors import lead_sponsor_verdict
from leads.selectors import corrections_for
from leads.services import sponsor_correction_request


class CorrectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    sponsor_number = serializers.CharField(write_only=True, max_length=20)
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    requested_sponsor = serializers.IntegerField(source="requested_sponsor.number", read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    due_on = serializers.DateField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_note = serializers.CharField(read_only=True)


class CorrectionListCreate(MemberAPIMixin, APIView):
    """GET: my sponsor correction requests. POST: ask to be moved to the sponsor I meant."""

    serializer_class = CorrectionSerializer

    @extend_schema(
        responses=inline_serializer("CorrectionList", {"results": CorrectionSerializer(many=True)})
    )
    def get(self, request):
        account = self.member()
        return Response({"results": CorrectionSerializer(corrections_for(account=account), many=True).data})

    @extend_schema(request=CorrectionSerializer, responses={201: CorrectionSerializer})
    def post(self, request):
        account = self.member()
        serializer = CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = sponsor_correction_request(
            account=account,
            sponsor_number=serializer.validated_data["sponsor_number"],
            explanation=serializer.validated_data.get("explanation", ""),
            actor=request.user,
        )
        return Response(CorrectionSerializer(made).data, status=status.HTTP_201_CREATED)


class QualificationView(MemberAPIMixin, APIView):
    """GET: the five Leads-program rules for me, with the facts behind each."""

    @extend_schema(
        responses=inline_serializer(
            "LeadQualification",
            {
                "number": serializers.IntegerField(),
                "qualified": serializers.BooleanField(),
                "rules": serializers.DictField(child=serializers.BooleanField()),
                "facts": serializers.DictField(),
                "explanations": serializers.DictField(child=serializers.CharField()),
                "missing": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        account = self.member()
        verdict = lead_sponsor_verdict(account=account)
        return Response({"number": account.number, **verdict.as_dict(), "missing": verdict.missing})

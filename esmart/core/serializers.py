from rest_framework import serializers


class SubsystemSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()

    class Meta:
        ref_name = "Subsystem"


class PingResponseSerializer(serializers.Serializer):
    version = serializers.CharField()
    subsystems = SubsystemSerializer(many=True)
    last_worker_heartbeat = serializers.DateTimeField(
        allow_null=True, help_text="When a Celery worker last ran the beat's heartbeat task (UTC); null if never."
    )

    class Meta:
        ref_name = "PingResponse"


class CheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    error = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "SubsystemCheck"


class ChecksResponseSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checks = CheckSerializer(many=True)

    class Meta:
        ref_name = "ChecksResponse"


class DatabaseResponseSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    meters = serializers.BooleanField(help_text="Whether any meter exists.")
    customers = serializers.BooleanField(help_text="Whether any customer exists.")

    class Meta:
        ref_name = "DatabaseCheckResponse"

namespace SgNarrower.AwsApi
{
    public enum FailureKind { AccessDenied, NotFound, Throttled, InvalidArgument, Connection, Authentication, Conflict, ServiceError, WriteFailed, InvalidData, ReadFailed }
}

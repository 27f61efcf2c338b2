namespace Engramia.Domain.Common;

/// <summary>
/// Base of every expected failure. The Api maps each subtype to one HTTP status in one place;
/// <see cref="ErrorCode"/> and <see cref="Context"/> travel to the wire unchanged.
/// </summary>
public abstract class EngramiaException : Exception
{
    protected EngramiaException(string errorCode, string detail, IReadOnlyDictionary<string, object?>? context = null)
        : base(detail)
    {
        ErrorCode = errorCode;
        Context = context;
    }

    public string ErrorCode { get; }

    public IReadOnlyDictionary<string, object?>? Context { get; }
}

/// <summary>One invalid field: <c>loc</c> as upstream writes it (for example <c>["body","eval_score"]</c>).</summary>
public sealed record ValidationIssue(IReadOnlyList<string> Loc, string Msg, string Type);

public sealed class DomainValidationException : EngramiaException
{
    public DomainValidationException(string detail, IReadOnlyList<ValidationIssue>? issues = null)
        : base("VALIDATION_ERROR", detail) => Issues = issues ?? [];

    public IReadOnlyList<ValidationIssue> Issues { get; }
}

public sealed class NotFoundException(string detail, string errorCode = "NOT_FOUND")
    : EngramiaException(errorCode, detail);

public sealed class ForbiddenException(string detail, string errorCode = "FORBIDDEN", IReadOnlyDictionary<string, object?>? context = null)
    : EngramiaException(errorCode, detail, context);

public sealed class UnauthorizedException(string detail, string errorCode = "UNAUTHORIZED")
    : EngramiaException(errorCode, detail);

public sealed class QuotaExceededException(string detail, IReadOnlyDictionary<string, object?>? context = null, string errorCode = "QUOTA_EXCEEDED")
    : EngramiaException(errorCode, detail, context);

public sealed class PaymentRequiredException(string detail, IReadOnlyDictionary<string, object?>? context = null, string errorCode = "ERROR")
    : EngramiaException(errorCode, detail, context);

public sealed class ConflictException(string detail, string errorCode = "CONFLICT")
    : EngramiaException(errorCode, detail);

public sealed class ProviderNotConfiguredException(string detail = "LLM or embedding provider not configured.", IReadOnlyDictionary<string, object?>? context = null)
    : EngramiaException("PROVIDER_NOT_CONFIGURED", detail, context);

public sealed class ServiceUnavailableException(string detail, string errorCode = "STORAGE_ERROR", IReadOnlyDictionary<string, object?>? context = null)
    : EngramiaException(errorCode, detail, context);

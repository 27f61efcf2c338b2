namespace Engramia.Api.Errors;

/// <summary>The spec's default <c>error_code</c> for a status when the error carries none of its own.</summary>
public static class ErrorCodes
{
    public static string ForStatus(int status) => status switch
    {
        400 or 422 => "VALIDATION_ERROR",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        413 => "PAYLOAD_TOO_LARGE",
        429 => "QUOTA_EXCEEDED",
        500 => "INTERNAL_ERROR",
        501 => "PROVIDER_NOT_CONFIGURED",
        503 => "STORAGE_ERROR",
        _ => "ERROR",
    };
}

using System.Net;
using System.Text.Json;

namespace Engramia.Client;

/// <summary>One issue of a 422: where (<c>["body","eval_score"]</c>), what, and its kind.</summary>
public sealed record ValidationIssue(IReadOnlyList<string> Loc, string Msg, string Type);

/// <summary>
/// The service answered with its error envelope (RFC 9457 ProblemDetails plus <c>error_code</c>).
/// Subclasses name the statuses callers act on; any other status is this type itself.
/// </summary>
public class EngramiaApiException(int status, string errorCode, string detail, string? requestId, JsonElement? body)
    : Exception($"{errorCode} ({status}): {detail}")
{
    public int Status { get; } = status;

    /// <summary>The service's machine-readable code, for example <c>VALIDATION_ERROR</c> or <c>QUOTA_EXCEEDED</c>.</summary>
    public string ErrorCode { get; } = errorCode;

    public string Detail { get; } = detail;

    /// <summary>The <c>X-Request-ID</c> of the failed call, to find it in the service's log.</summary>
    public string? RequestId { get; } = requestId;

    /// <summary>The whole envelope (for <c>error_context</c> and other extensions).</summary>
    public JsonElement? Body { get; } = body;

    internal static async Task<EngramiaApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var requestId = response.Headers.TryGetValues("X-Request-ID", out var ids) ? ids.FirstOrDefault() : null;
        JsonElement? body = null;
        string? errorCode = null;
        string? detail = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (text.Length > 0)
            {
                using var document = JsonDocument.Parse(text);
                body = document.RootElement.Clone();
                if (body.Value.ValueKind == JsonValueKind.Object)
                {
                    errorCode = Text(body.Value, "error_code");
                    detail = Text(body.Value, "detail") ?? Text(body.Value, "title");
                }
            }
        }
        catch (JsonException)
        {
            // Not the envelope (a proxy's HTML page): status and reason phrase still say what happened.
        }

        errorCode ??= DefaultCode(status);
        detail ??= response.ReasonPhrase ?? "Request failed.";
        return status switch
        {
            401 => new EngramiaUnauthorizedException(errorCode, detail, requestId, body),
            403 => new EngramiaForbiddenException(errorCode, detail, requestId, body),
            404 => new EngramiaNotFoundException(errorCode, detail, requestId, body),
            409 => new EngramiaConflictException(errorCode, detail, requestId, body),
            422 => new EngramiaValidationException(errorCode, detail, requestId, body),
            429 => new EngramiaRateLimitedException(errorCode, detail, requestId, body, response.Headers.RetryAfter?.Delta),
            _ => new EngramiaApiException(status, errorCode, detail, requestId, body),
        };
    }

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string DefaultCode(int status) => status switch
    {
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        409 => "CONFLICT",
        422 => "VALIDATION_ERROR",
        429 => "RATE_LIMITED",
        _ => ((HttpStatusCode)status).ToString().ToUpperInvariant(),
    };
}

/// <summary>401: no key, a malformed header, or a key that is unknown, revoked or expired.</summary>
public sealed class EngramiaUnauthorizedException(string errorCode, string detail, string? requestId, JsonElement? body)
    : EngramiaApiException(401, errorCode, detail, requestId, body);

/// <summary>403: the key's role lacks the permission, or the resource is not the key's to change.</summary>
public sealed class EngramiaForbiddenException(string errorCode, string detail, string? requestId, JsonElement? body)
    : EngramiaApiException(403, errorCode, detail, requestId, body);

/// <summary>404: nothing with that key or id in the key's scope.</summary>
public sealed class EngramiaNotFoundException(string errorCode, string detail, string? requestId, JsonElement? body)
    : EngramiaApiException(404, errorCode, detail, requestId, body);

/// <summary>409: the state does not allow it (a job no longer pending, a bootstrap already done…).</summary>
public sealed class EngramiaConflictException(string errorCode, string detail, string? requestId, JsonElement? body)
    : EngramiaApiException(409, errorCode, detail, requestId, body);

/// <summary>422: the request did not validate; <see cref="Issues"/> says which fields.</summary>
public sealed class EngramiaValidationException(string errorCode, string detail, string? requestId, JsonElement? body)
    : EngramiaApiException(422, errorCode, detail, requestId, body)
{
    public IReadOnlyList<ValidationIssue> Issues { get; } =
        body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("issues", out var issues) && issues.ValueKind == JsonValueKind.Array
            ? issues.Deserialize<List<ValidationIssue>>(EngramiaJson.Options) ?? []
            : [];
}

/// <summary>429: a rate limit or a quota (see <see cref="EngramiaApiException.ErrorCode"/>); <see cref="RetryAfter"/> when the service said when.</summary>
public sealed class EngramiaRateLimitedException(string errorCode, string detail, string? requestId, JsonElement? body, TimeSpan? retryAfter)
    : EngramiaApiException(429, errorCode, detail, requestId, body)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

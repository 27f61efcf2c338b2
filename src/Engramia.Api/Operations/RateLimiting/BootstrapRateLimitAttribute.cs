namespace Engramia.Api.Operations.RateLimiting;

/// <summary>
/// Marks <c>POST /v1/keys/bootstrap</c>: each try is a guess at <c>ENGRAMIA_BOOTSTRAP_TOKEN</c>, so it
/// counts per client IP against the strict <c>ENGRAMIA_RATE_LIMIT_BOOTSTRAP</c> limit (default 5 per window).
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
public sealed class BootstrapRateLimitAttribute : Attribute;

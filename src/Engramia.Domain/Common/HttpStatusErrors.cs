namespace Engramia.Domain.Common;

/// <summary>A request the spec answers with 400 and a string detail (for example billing's <c>Invalid JSON body.</c>).</summary>
public sealed class BadRequestException(string detail, string errorCode = "VALIDATION_ERROR")
    : EngramiaException(errorCode, detail);

/// <summary>An upstream provider refused the call (502); the detail never carries the provider's text.</summary>
public sealed class BadGatewayException(string detail, string errorCode = "ERROR")
    : EngramiaException(errorCode, detail);

/// <summary>A failure the caller can only retry (500) with a fixed, generic detail.</summary>
public sealed class InternalFailureException(string detail)
    : EngramiaException("INTERNAL_ERROR", detail);

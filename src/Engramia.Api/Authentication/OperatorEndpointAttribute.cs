namespace Engramia.Api.Authentication;

/// <summary>
/// Marks an endpoint that accepts the operator credential (<c>Authorization: Bearer
/// $ENGRAMIA_OPERATOR_TOKEN</c>) besides API keys. Only there does that token mean anything; its
/// actions need an operator-only permission, which no API key's role holds.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class OperatorEndpointAttribute : Attribute;

namespace Engramia.Api.Operations;

/// <summary>
/// An endpoint that serves a page to a browser (the API reference) replaces the API's
/// <c>default-src 'none'</c> with the policy the page needs; every other response keeps the strict one.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class ContentSecurityPolicyAttribute(string policy) : Attribute
{
    public string Policy { get; } = policy;
}

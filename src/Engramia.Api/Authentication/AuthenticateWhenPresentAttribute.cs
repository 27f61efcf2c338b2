namespace Engramia.Api.Authentication;

/// <summary>
/// On a public (<c>AllowAnonymous</c>) endpoint: credentials are optional, but when an
/// <c>Authorization</c> header is sent it is checked like anywhere else (a bad key is 401), and a
/// valid one establishes the principal, so the endpoint can show its caller more (deep health's
/// probe details). An explicit no-auth deployment gets its anonymous principal here too.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class AuthenticateWhenPresentAttribute : Attribute;

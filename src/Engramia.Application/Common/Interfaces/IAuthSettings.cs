namespace Engramia.Application.Common.Interfaces;

/// <summary>The authentication facts handlers need (the full settings live with the Api's authentication).</summary>
public interface IAuthSettings
{
    /// <summary>
    /// True when API keys live in the database (upstream's "auth engine"): mode <c>db</c>, or a
    /// database URL with any mode but <c>env</c>. Key management, bootstrap and the audit viewer need it.
    /// </summary>
    bool HasKeyStore { get; }

    /// <summary><c>ENGRAMIA_BOOTSTRAP_TOKEN</c>, trimmed; null when blank (bootstrap disabled).</summary>
    string? BootstrapToken { get; }
}

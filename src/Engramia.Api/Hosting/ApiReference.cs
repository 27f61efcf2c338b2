using Engramia.Api.Operations;
using Engramia.Api.Operations.Maintenance;
using Engramia.Infrastructure.Configuration;
using Scalar.AspNetCore;

namespace Engramia.Api.Hosting;

/// <summary>
/// The OpenAPI document at <c>/openapi.json</c> and the interactive reference at <c>/docs</c> (Scalar,
/// its assets served from the package, no CDN). Upstream's rule decides when they exist: <c>ENGRAMIA_ENV</c>
/// is dev, development, local or staging; <c>ENGRAMIA_API_DOCS=true|false</c> overrides it either way,
/// e.g. to publish the reference of a production deployment on purpose.
/// </summary>
public static class ApiReference
{
    public const string EnabledVariable = "ENGRAMIA_API_DOCS";
    public const string DocumentPath = "/openapi.json";
    public const string ReferencePath = "/docs";

    /// <summary>Scalar's own scripts and styles, its inline start-up module, and the document from this origin; nothing from elsewhere.</summary>
    public const string PagePolicy =
        "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'";

    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.Text(EnabledVariable) is not null
            ? configuration.Flag(EnabledVariable)
            : DeploymentEnvironment.From(configuration).ServesApiDocs;

    public static WebApplication MapApiReference(this WebApplication app)
    {
        if (!IsEnabled(app.Configuration))
        {
            return app;
        }

        // Public by design when enabled: the document describes routes, never data.
        app.MapOpenApi(DocumentPath).AllowAnonymous().WithMetadata(new MaintenanceExemptAttribute());
        app.MapScalarApiReference(ReferencePath, options => options
                .WithTitle("Engramia API")
                .WithOpenApiRoutePattern(DocumentPath))
            .AllowAnonymous()
            .WithMetadata(new ContentSecurityPolicyAttribute(PagePolicy));
        return app;
    }
}

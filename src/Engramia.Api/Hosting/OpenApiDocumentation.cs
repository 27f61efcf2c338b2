using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Engramia.Api.Hosting;

/// <summary>
/// What the generated document cannot infer: the bearer scheme on every non-public operation, the
/// error envelope every 4xx/5xx answers with, and the probes mapped outside MVC (deep health,
/// readiness, <c>/metrics</c>).
/// </summary>
public static class OpenApiDocumentation
{
    private const string Bearer = "bearer";
    private const string Envelope = "ErrorEnvelope";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Engramia API",
                Version = "v1",
                Description = "Execution memory for AI agents: learn, recall, evaluate, compose. Send `Authorization: Bearer <key>`.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = Bearer,
                Description = "An API key (`engramia_sk_…`), or the metrics token for `/metrics`.",
            };
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[Envelope] = ErrorEnvelope();
            AddProbe(document, "/v1/health/deep", "Deep health: storage, migrations, model and billing probes (details for operators only).");
            AddProbe(document, "/v1/health/ready", "Readiness: 200 when the database answers and the schema is current, else 503.");
            AddProbe(document, "/metrics", "Prometheus exposition (needs `ENGRAMIA_METRICS=true` and the metrics token as bearer).");
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            operation.Responses ??= new OpenApiResponses();
            operation.Responses["4XX"] = EnvelopeResponse(context.Document, "Client error: the error envelope (`detail`, `error_code`, `issues` on 422).");
            operation.Responses["5XX"] = EnvelopeResponse(context.Document, "Server or dependency error (503 carries `Retry-After`).");
            if (!metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] }];
            }

            return Task.CompletedTask;
        });
    }

    private static OpenApiSchema ErrorEnvelope() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Every error answer (RFC 9457 problem details with upstream's fields).",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for a human." },
            ["error_code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable code, e.g. VALIDATION_ERROR, UNAUTHORIZED, NOT_FOUND." },
            ["error_context"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Extra facts, e.g. quota limits." },
            ["issues"] = new OpenApiSchema { Type = JsonSchemaType.Array, Description = "422 only: one entry per invalid field (`loc`, `msg`, `type`)." },
        },
        Required = new HashSet<string> { "detail", "error_code" },
    };

    private static OpenApiResponse EnvelopeResponse(OpenApiDocument? document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(Envelope, document) },
        },
    };

    private static void AddProbe(OpenApiDocument document, string path, string summary)
    {
        document.Paths ??= new OpenApiPaths();
        document.Paths[path] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = summary,
                    Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "Healthy (or the scrape)." },
                        ["503"] = new OpenApiResponse { Description = "Unhealthy or not ready." },
                    },
                },
            },
        };
    }
}

namespace Engramia.Api.Hosting;

/// <summary>
/// Every body of this API is JSON. Clients that omit <c>Content-Type</c> (curl -d without -H, some
/// SDKs on empty bodies) get the spec's 422 validation envelope instead of a bare 415.
/// </summary>
public static class JsonContentTypeDefault
{
    public static IApplicationBuilder UseJsonContentTypeDefault(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        if (string.IsNullOrEmpty(request.ContentType) && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)))
        {
            request.ContentType = "application/json";
        }

        await next();
    });
}

using System.Text.Json;

namespace Engramia.Api.Authentication.Oidc;

/// <summary>
/// The text values of one claim of a token's payload. A claim is found by its exact name first; a
/// name with dots that is not a claim is followed as a path into nested objects, so Keycloak's
/// <c>realm_access.roles</c> works as a role claim. Strings and numbers count, an array gives its
/// strings and numbers; objects, booleans and blank strings give nothing.
/// </summary>
public static class ClaimValues
{
    public static IReadOnlyList<string> Of(JsonElement payload, string claim)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        if (payload.TryGetProperty(claim, out var value))
        {
            return Flatten(value);
        }

        var node = payload;
        foreach (var segment in claim.Split('.'))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(segment, out node))
            {
                return [];
            }
        }

        return claim.Contains('.') ? Flatten(node) : [];
    }

    private static List<string> Flatten(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray().SelectMany(Scalar).ToList(),
        _ => Scalar(value).ToList(),
    };

    private static IEnumerable<string> Scalar(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (!string.IsNullOrWhiteSpace(text))
        {
            yield return text.Trim();
        }
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Engramia.Application.Billing.Common;

/// <summary>
/// The signed tenant reference this service puts in the metadata of every checkout session it
/// creates (copied by Stripe to the subscription's metadata). A webhook links a tenant only when the
/// reference matches, so a session made elsewhere (a Payment Link with a forged
/// <c>client_reference_id</c>) can never attach a Stripe customer to someone else's tenant.
/// </summary>
public sealed class CheckoutReference(IBillingConfiguration configuration)
{
    public const string MetadataKey = "engramia_ref";

    /// <summary>The reference for <paramref name="tenantId"/>; null when no signing key is configured.</summary>
    public string? Sign(string tenantId) =>
        configuration.ReferenceSigningKey is { } key ? Compute(key, tenantId) : null;

    /// <summary>True only for a reference this service signed for exactly this tenant.</summary>
    public bool IsValid(string tenantId, string? reference)
    {
        if (reference is null || configuration.ReferenceSigningKey is not { } key)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Compute(key, tenantId)), Encoding.ASCII.GetBytes(reference));
    }

    private static string Compute(string key, string tenantId)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("engramia-checkout:" + tenantId));
        return "v1." + Convert.ToHexStringLower(mac);
    }
}

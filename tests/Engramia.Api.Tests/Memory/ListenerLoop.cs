using System.Net;

namespace Engramia.Api.Tests.Memory;

/// <summary>The accept loop of the loopback fakes: each request handled on its own task until the listener stops.</summary>
internal static class ListenerLoop
{
    public static async Task RunAsync(HttpListener listener, CancellationToken stop, Func<HttpListenerContext, Task> handle)
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => handle(context));
        }
    }
}

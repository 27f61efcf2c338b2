# Stand-ins for mcr.microsoft.com/dotnet/sdk:10.0 and mcr.microsoft.com/dotnet/aspnet:10.0, which
# cannot be pulled here: the host's own .NET installation on the Debian base that
# build/compose-drill.sh makes with debootstrap. deploy/Dockerfile gets them through its
# DOTNET_SDK_IMAGE / DOTNET_RUNTIME_IMAGE build arguments. The context (made by the drill) holds
#   dotnet/     the host's /usr/share/dotnet (SDK, packs, shared frameworks)
#   extra-ca/   the CA certificates the host added to its trust store (/usr/local/share/ca-certificates),
#               so `dotnet restore` inside the build reaches NuGet exactly as the host does
ARG BASE_IMAGE=engramia-drill/debian:bookworm

FROM ${BASE_IMAGE} AS os
# What the official images add to Debian for .NET: TLS roots, ICU, OpenSSL, zlib, time zones.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libicu72 libssl3 zlib1g tzdata \
 && rm -rf /var/lib/apt/lists/*
ENV DOTNET_RUNNING_IN_CONTAINER=true

FROM os AS aspnet
# Runtime only, as in the aspnet image: the muxer, hostfxr and the two shared frameworks.
COPY dotnet/dotnet /usr/share/dotnet/
COPY dotnet/host/ /usr/share/dotnet/host/
COPY dotnet/shared/ /usr/share/dotnet/shared/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && dotnet --list-runtimes
# The aspnet image's defaults (deploy/Dockerfile clears ASPNETCORE_HTTP_PORTS for its own port).
ENV ASPNETCORE_HTTP_PORTS=8080 APP_UID=1654

FROM os AS sdk
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
COPY dotnet/ /usr/share/dotnet/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && dotnet --version
# NuGet verifies package signatures; revocation servers are not reachable from this machine (its
# environment sets the same), so the check runs offline instead of failing the restore.
ENV NUGET_CERT_REVOCATION_MODE=offline DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    DOTNET_GENERATE_ASPNET_CERTIFICATE=false

# Caddy from Debian's package (2.6): the drill's stand-in for caddy:2.9.1-alpine (docker-compose.prod.yml
# takes it through CADDY_IMAGE), laid out like the official image: config /etc/caddy/Caddyfile,
# certificates and the local CA under /data, autosave under /config.
ARG BASE_IMAGE=engramia-drill/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends caddy ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /config/caddy /data/caddy /etc/caddy \
 && caddy version
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
EXPOSE 80 443
WORKDIR /srv
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]

# fakeidp: a static binary in a distroless image, run as a non-root user.
#
#   docker build -t fakeidp .
#   docker run --rm -p 8080:8080 -e FAKEIDP_CONTROL_TOKEN=change-me fakeidp
#
# Listening on 0.0.0.0 needs a control token (FAKEIDP_CONTROL_TOKEN or
# --control-token): it guards /_fakeidp/, which can reset the server and
# inject faults. The image also runs the contract: `docker run … fakeidp
# verify --url http://host:8080`.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/fakeidp ./cmd/fakeidp
# The CA directory, owned by the nonroot user: a named volume mounted there
# starts as a copy of it, so fakeidp can write its CA into the volume.
RUN mkdir -p /out/tls

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fakeidp /fakeidp
COPY --from=build --chown=65532:65532 /out/tls /var/lib/fakeidp/tls
# The compose fixtures: the defaults plus public URLs under the real host
# names (see docker-compose.yml). The default fixtures are built in.
COPY fixtures/compose.yaml /etc/fakeidp/compose.yaml
USER nonroot:nonroot
EXPOSE 8080 80 443
ENTRYPOINT ["/fakeidp"]
CMD ["--addr", "0.0.0.0:8080"]

package org.plansync;

/**
 * Where and how to sync: the server ("host:port"), the device's token (in memory
 * or in a file, exactly one), a CA file for TLS (none: plaintext, which a server
 * accepts on loopback only), and the direction.
 */
public final class SyncOptions {
  final String server;
  String token;
  String tokenFile;
  String caFile;
  SyncDirection direction = SyncDirection.BOTH;

  private SyncOptions(String server) {
    this.server = server;
  }

  /** Options for the server at {@code hostAndPort}. */
  public static SyncOptions server(String hostAndPort) {
    return new SyncOptions(hostAndPort);
  }

  /** The token itself; it is sent only to the server, never logged. */
  public SyncOptions token(String token) {
    this.token = token;
    return this;
  }

  /** A file whose first line is the token. */
  public SyncOptions tokenFile(String path) {
    this.tokenFile = path;
    return this;
  }

  /** A PEM file of the certificate authorities to trust: the sync uses TLS. */
  public SyncOptions caFile(String path) {
    this.caFile = path;
    return this;
  }

  public SyncOptions direction(SyncDirection direction) {
    this.direction = direction;
    return this;
  }
}

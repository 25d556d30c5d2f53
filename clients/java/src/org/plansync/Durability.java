package org.plansync;

/** How a store's commits reach the disk. */
public enum Durability {
  /** Each commit is on disk before it returns. The default. */
  FULL,
  /**
   * Commits return sooner: a crash of the app loses nothing, but a power cut or an
   * operating system crash may lose the last commits.
   */
  NORMAL
}

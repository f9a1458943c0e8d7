/** Errors of the nightly conversion; adapters translate engine and SDK failures into these. */
export class ConversionError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
  }
}

/** The engine failed to write the staged Parquet (query failed, engine crashed, ...). */
export class ConversionEngineError extends ConversionError {}

/** The staged output does not hold what it should (row counts disagree, no files written). */
export class ConversionVerificationError extends ConversionError {}

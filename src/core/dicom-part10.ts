/**
 * Writing a naturalized dataset (keyword names) as a DICOM Part-10 file with dcmjs, explicit VR
 * little endian, and making new UIDs.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';

/** Explicit VR little endian: what this project writes. */
export const EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** This writer's implementation class UID (a fixed UUID-derived UID). */
const IMPLEMENTATION_CLASS_UID = '2.25.302052736839735402357213404766582340229';

/**
 * A new globally unique UID of the 2.25 (UUID) form, from 128 random bits (crypto.getRandomValues).
 * @example newUid() // '2.25.1787...' (at most 44 characters)
 */
export function newUid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // UUID version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return `2.25.${value.toString()}`;
}

/**
 * Encodes `dataset` (naturalized: keyword names, sequences as arrays of datasets, binary values as
 * [ArrayBuffer]) as a Part-10 file with a file meta group; `SOPClassUID` and `SOPInstanceUID` must be
 * set. `dataset._vrMap` picks the VR of ambiguous tags (PixelData: 'OB' or 'OW').
 */
export function writePart10(dataset: NaturalDataset): Uint8Array {
  const meta: NaturalDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'LESION_WB_1',
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

"""Captured stills as DICOM Ultrasound Image Storage, with a Sequence of Ultrasound Regions whose physical
deltas (cm per pixel) come from the imaging calibration (``mm_per_px``) and whose reference pixel is the
transducer-face centre (``origin_px``), so a PACS viewer measures in true millimetres."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import UltrasoundImageStorage

from sonocart.records.dicom_common import StudyContext, base_dataset

US_SERIES = 1
#: PS3.3 C.8.5.5.1: region spatial format 1 = 2D, data type 1 = tissue, units 3 = cm.
REGION_2D, DATA_TISSUE, UNITS_CM = 1, 1, 3


def region(rows: int, cols: int, mm_per_px: float, origin_px: tuple[float, float]) -> Dataset:
    item = Dataset()
    item.RegionSpatialFormat = REGION_2D
    item.RegionDataType = DATA_TISSUE
    item.RegionFlags = 0
    item.RegionLocationMinX0 = 0
    item.RegionLocationMinY0 = 0
    item.RegionLocationMaxX1 = cols - 1
    item.RegionLocationMaxY1 = rows - 1
    item.ReferencePixelX0 = round(origin_px[0])
    item.ReferencePixelY0 = round(origin_px[1])
    item.PhysicalUnitsXDirection = UNITS_CM
    item.PhysicalUnitsYDirection = UNITS_CM
    item.ReferencePixelPhysicalValueX = 0.0
    item.ReferencePixelPhysicalValueY = 0.0
    item.PhysicalDeltaX = mm_per_px / 10.0
    item.PhysicalDeltaY = mm_per_px / 10.0
    return item


def us_image(ctx: StudyContext, image: npt.NDArray[np.uint8], capture: dict[str, Any]) -> Dataset:
    number = int(capture["number"])
    ds = base_dataset(ctx, UltrasoundImageStorage, ctx.uid("us", number), "US", US_SERIES)
    ds.SeriesDescription = "Procedure stills"
    if ctx.side in ("left", "right"):
        ds.Laterality = "L" if ctx.side == "left" else "R"  # General Series, paired body parts
    # General Image
    ds.InstanceNumber = number
    ds.PatientOrientation = ""
    ds.ContentDate = ds.StudyDate
    ds.ContentTime = ds.StudyTime
    label = str(capture.get("label", ""))[:10000] if not ctx.deidentify else ""
    # The label, the side change (if the side was overridden away from the consent), then the signed
    # journal head the image was exported from (also in the Contributing Equipment Sequence, as in the
    # Encapsulated PDF: see dicom_common).
    side_change = ctx.side_change.upper()
    lines = (label, side_change, ctx.head_line())
    ds.ImageComments = "\r\n".join(line for line in lines if line)[-10240:]  # LT: at most 10240 chars
    ds.BurnedInAnnotation = "NO"
    # Image Pixel / US Image
    rows, cols = image.shape[0], image.shape[1]
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    if image.ndim == 3:
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = "RGB"
        ds.PlanarConfiguration = 0
    else:
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "MUSCULOSKELETAL", "0001"]  # value 4: 0001 = 2D imaging
    ds.LossyImageCompression = "00"
    ds.SequenceOfUltrasoundRegions = Sequence(
        [region(rows, cols, float(capture["mm_per_px"]), (capture["origin_px"][0], capture["origin_px"][1]))]
    )
    ds.PixelData = np.ascontiguousarray(image).tobytes()
    return ds

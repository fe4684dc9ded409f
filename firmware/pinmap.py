"""GPIO numbers of the pedal board. GENERATED from hardware/pinmap.json: do not edit."""

from mpcompat import const

PEDAL_A = const(2)  # Pico pin 4: pedal A (left) normally-open contact to GND
PEDAL_B = const(3)  # Pico pin 5: pedal B (right) normally-open contact to GND
PEDAL_PRESENT = const(4)  # Pico pin 6: pedal-present sense: looped to GND (J1-4) inside the pedal plug
LIGHT_DATA = const(16)  # Pico pin 21: WS2812B status light DIN via 74AHCT125 level shifter (3.3 V to 5 V)
BUZZER = const(15)  # Pico pin 20: buzzer driver: 1 kOhm to MMBT3904 base; buzzer between +5 V and collector

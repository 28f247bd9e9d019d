"""What the busy demo's simulated people say: the payment step's sore points (promo codes,
gift cards, refund credits, declined cards), the customers' names, and the simulated
specialists' lines, including the honest one for a real customer they serve in turn."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    description: str
    """What the customer types before tapping Request help."""
    follow_up: str
    """Their reply to the specialist's greeting."""
    answer: str
    """The specialist's answer."""
    data: dict[str, object]
    """The booking's context data on the payment step."""


PROBLEMS = (
    Problem(
        "Will my refund credits be used, or only the card?",
        "The total still says €164.70 but the switch is on.",
        "The credits apply first: the card pays only what is left, €14.70.",
        {"fare": 164.7, "credits": 150, "credits_applied": True, "total_due": 14.7},
    ),
    Problem(
        "My promo code SPRING70 shows as applied but the price didn't change.",
        "It's the Lisbon to Amsterdam flight, the Promo Light fare.",
        "The fare already includes the spring sale, so the code adds nothing on top.",
        {"fare": 164.7, "credits": 0, "promo": "70% off"},
    ),
    Problem(
        "My card was declined (PAY-402) but I have enough money.",
        "I tried twice already, same card.",
        "The first attempt timed out on the bank's side; paying again now goes through.",
        {"fare": 412.0, "credits": 0, "pay_attempts": 2},
    ),
    Problem(
        "Can I pay part with a gift card and part with my card?",
        "The gift card is worth €50.",
        "Yes: enter the gift card first, and the card pays the rest.",
        {"fare": 289.0, "credits": 0, "gift_card": True},
    ),
    Problem(
        "The captcha on the payment page keeps failing.",
        "I've tried five times, on my phone.",
        "I've cleared it on our side; reload the page and it won't ask again.",
        {"fare": 164.7, "credits": 0, "captcha_failures": 5},
    ),
    Problem(
        "Do my refund credits expire if I book this flight?",
        "I have €150 from a cancelled trip last year.",
        "They are valid until December, and this booking uses them first.",
        {"fare": 549.0, "credits": 150, "credits_applied": False, "total_due": 549.0},
    ),
)

CUSTOMER_NAMES = (
    "Rosa",
    "Jonas",
    "Amara",
    "Luca",
    "Ines",
    "Kenji",
    "Sara",
    "Malik",
    "Elif",
    "Noah",
    "Chloé",
    "Ravi",
)

THANKS = "Perfect, thank you!"


def customer_name(number: int) -> str:
    """A simulated customer's name, marked as simulated wherever it shows."""
    return f"Sim · {CUSTOMER_NAMES[number % len(CUSTOMER_NAMES)]}"


def greeting(specialist: str, customer: str | None) -> str:
    first = (customer or "there").replace("Sim · ", "").split(" ")[0]
    return f"Hi {first}, I'm {specialist}. I can see your booking on the payment step."


REAL_GREETING = (
    "Hi, I'm {name}, one of the simulated specialists of this busy demo, serving the line in "
    "turn. I can see your booking, the fare and the credits, and your card number stays on "
    "your device. To answer as a person next time, sign in at /desk as Ana first: while she "
    "is free, your requests go to her before us."
)
REAL_ANSWER = (
    "On this payment screen the refund credits apply first, and the card pays only what is "
    "left. Anything else I can help with?"
)
REAL_REPLY = "Noted. I'll close this chat when you're done; a person at the desk can pick up."
